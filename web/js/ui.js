// ui.js: pieces every screen uses: headings that take focus, error boxes, status badges that
// never rely on colour alone, sortable tables.
import { h, clear, download } from './dom.js';
import { t, currentLang } from './i18n.js';

// Clears `main` and gives it a heading that takes focus, so keyboard and screen-reader users
// land on the new screen.
export function screen(main, title, ...intro) {
  clear(main);
  document.title = title + ' · UNIC';
  const h1 = h('h1', { tabindex: '-1', id: 'screen-title' }, title);
  main.append(h1, ...intro.filter((x) => x !== null && x !== undefined));
  h1.focus({ preventScroll: true });
  return h1;
}

export function loading() {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}

// What went wrong, in the user's language, with the server's own words for the specifics.
export function errorBox(err) {
  const code = err && err.code ? err.code : 'unknown';
  const known = t('error.' + code);
  const title = known === 'error.' + code ? t('error.unknown') : known;
  return h('div', { class: 'error', role: 'alert' },
    h('strong', null, title), err && err.message ? h('p', { class: 'detail', dir: 'auto' }, err.message) : null);
}

export function success(text) {
  return h('div', { class: 'ok', role: 'status' }, text);
}

const SYMBOLS = { good: '✓', warn: '!', bad: '✗', info: '○', none: '–' };

// A status shown with a colour, a symbol and a word: the colour is never the only signal.
export function badge(tone, text) {
  return h('span', { class: 'badge badge-' + tone }, h('span', { 'aria-hidden': 'true' }, SYMBOLS[tone] + ' '), text);
}

// The catalog holds the names of States, regions and topics in English only: say so elsewhere.
export function namesNotice() {
  return currentLang() === 'en' ? null : h('p', { class: 'notice-box', role: 'note' }, t('common.namesen'));
}

export function enumText(kind, value) {
  return t('enum.' + kind + '.' + (value || 'UNSPECIFIED'));
}

// columns: [{key, label, value: row -> sortable value, cell: row -> node|text, numeric}]
// A header button sorts by its column; aria-sort says which way.
export function sortableTable(caption, columns, rows, opts = {}) {
  let sortKey = opts.sortKey || null;
  let dir = 1;
  const tbody = h('tbody');
  const ths = columns.map((col) => {
    const btn = h('button', { type: 'button', class: 'sort', onclick: () => sortBy(col.key) }, col.label);
    return h('th', { scope: 'col', 'data-key': col.key, class: col.numeric ? 'num' : null }, btn);
  });
  const table = h('table', { class: 'data' }, h('caption', null, caption), h('thead', null, h('tr', null, ths)), tbody);

  function sortBy(key) {
    dir = sortKey === key ? -dir : 1;
    sortKey = key;
    draw();
  }

  function draw() {
    const col = columns.find((c) => c.key === sortKey);
    const list = rows.filter(opts.filter || (() => true));
    if (col) {
      const val = col.value || ((r) => r[col.key]);
      list.sort((a, b) => {
        const x = val(a);
        const y = val(b);
        if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
        return String(x ?? '').localeCompare(String(y ?? '')) * dir;
      });
    }
    ths.forEach((th) => {
      if (th.dataset.key === sortKey) th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
    clear(tbody);
    for (const r of list) {
      tbody.append(h('tr', null, columns.map((c) => h(c.header ? 'th' : 'td', {
        class: c.numeric ? 'num' : null, scope: c.header ? 'row' : null,
      }, c.cell ? c.cell(r) : String(r[c.key] ?? '')))));
    }
    if (opts.onDraw) opts.onDraw(list);
  }

  draw();
  return { table, redraw: draw };
}

// hideCaption: the caption repeats the heading above, so only screen readers get it.
export function simpleTable(caption, headers, rows, hideCaption) {
  return h('table', { class: 'data' }, h('caption', { class: hideCaption ? 'sr-only' : null }, caption),
    h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows.map((cells) => h('tr', null, cells.map((c) => h('td', null, c))))));
}

// A button fetching a rendered document (scoring's Document: content type, file name, base64
// bytes) and saving it.
export function documentButton(label, fetchDoc, status) {
  return actionButton(label, async () => {
    status.replaceChildren();
    try {
      const doc = await fetchDoc();
      const bin = atob(doc.bytes || '');
      const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
      download(doc.filename || 'document.pdf', bytes, doc.contentType || 'application/pdf');
    } catch (err) {
      status.append(errorBox(err));
    }
  }, null, 'pdf');
}

// A button that disables itself while its async action runs.
export function actionButton(label, action, cls, name) {
  const b = h('button', { type: 'button', class: cls || null, 'data-action': name || null }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await action();
    } finally {
      b.disabled = false;
    }
  });
  return b;
}
