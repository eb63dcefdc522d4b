// ui.js: pieces every screen uses: headings that take focus, error boxes, status badges that
// never rely on colour alone, tables sortable by any column and exportable as CSV.
import { h, clear, download, uid } from './dom.js';
import { t, currentLang } from './i18n.js';

// The CSV of a table as shown (its rows in their current order and filter), from each cell's text.
export function tableCsv(table) {
  const cell = (el) => {
    const v = el.innerText.replace(/\s+/g, ' ').trim();
    return /[",\n;]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  };
  const head = [...table.querySelectorAll('thead th')].map(cell);
  const body = [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map(cell).join(','));
  return [head.join(','), ...body].join('\r\n') + '\r\n';
}

function csvButton(table, caption) {
  const name = caption.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'table';
  return h('button', {
    type: 'button', class: 'link csv', 'data-action': 'table-csv', 'aria-label': t('common.csv.named', { what: caption }),
    onclick: () => download(name + '.csv', '\ufeff' + tableCsv(table), 'text/csv;charset=utf-8'),
  }, t('common.csv'));
}

// A caption with the CSV export in it; `hidden`: the heading above already says the title, so
// only screen readers get the text.
function captionOf(table, caption, hidden) {
  return h('caption', null, h('span', { class: hidden ? 'sr-only' : null }, caption), ' ', csvButton(table, caption));
}

// What a cell sorts by: its number when its text is one (in the page's language: grouping,
// decimal mark, Arabic-Indic digits, a percent sign), else its text.
function sortValue(text) {
  const parts = new Intl.NumberFormat(currentLang()).formatToParts(12345.6);
  const group = (parts.find((p) => p.type === 'group') || {}).value || ',';
  const decimal = (parts.find((p) => p.type === 'decimal') || {}).value || '.';
  const digits = text.trim().replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x6f0));
  const plain = digits.split(group).join('').replace(/[\s\u00a0\u202f%\u066a]/g, '').split(decimal).join('.');
  const n = /^[-\u2212]?\d+(\.\d+)?$/.test(plain) ? Number(plain.replace('\u2212', '-')) : NaN;
  return Number.isNaN(n) ? text.trim() : n;
}

function compareValues(x, y) {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'number') return -1;
  if (typeof y === 'number') return 1;
  return String(x ?? '').localeCompare(String(y ?? ''), currentLang());
}

// Clears `main` (the screen's box, app.js route()) and gives it a heading that takes focus, so
// keyboard and screen-reader users land on the new screen. A box the router has since taken out
// of the page (a newer navigation) gets its heading but neither the page's title nor the focus.
export function screen(main, title, ...intro) {
  clear(main);
  const h1 = h('h1', { tabindex: '-1', id: 'screen-title' }, title);
  main.append(h1, ...intro.filter((x) => x !== null && x !== undefined));
  if (main.isConnected) {
    document.title = title + ' · UNIC';
    h1.focus({ preventScroll: true });
  }
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
  const table = h('table', { class: 'data' }, h('thead', null, h('tr', null, ths)), tbody);
  if (opts.csv !== false) table.prepend(captionOf(table, caption, false));
  else table.prepend(h('caption', null, caption));

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
      list.sort((a, b) => compareValues(val(a), val(b)) * dir);
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

// A table of cells as given (nodes or text), sortable by any column from its header, by what
// the cells show; hideCaption: the caption repeats the heading above, so only screen readers get
// its text (the CSV export stays visible).
export function simpleTable(caption, headers, rows, hideCaption) {
  const tbody = h('tbody', null, rows.map((cells) => h('tr', null, cells.map((c) => h('td', null, c)))));
  const ths = headers.map((x, i) => h('th', { scope: 'col' },
    h('button', { type: 'button', class: 'sort', onclick: () => sortBy(i) }, x)));
  const table = h('table', { class: 'data' }, h('thead', null, h('tr', null, ths)), tbody);
  table.prepend(captionOf(table, caption, hideCaption));
  let sorted = -1;
  let dir = 1;
  function sortBy(i) {
    dir = sorted === i ? -dir : 1;
    sorted = i;
    const trs = [...tbody.children];
    const key = (tr) => sortValue(tr.children[i] ? tr.children[i].innerText : '');
    trs.sort((a, b) => compareValues(key(a), key(b)) * dir);
    tbody.append(...trs);
    ths.forEach((th, j) => {
      if (j === i) th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
  }
  return table;
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

// A secret shown once (a key's, a webhook's signing secret), in `slot`: what it is, the warning
// that it is never shown again, the secret with a button to copy it (or, where the page may not
// write the clipboard, to select it for Ctrl+C), and a button that puts it away for good.
export function showSecret(slot, { title, text, secret, hint, done }) {
  const code = h('code', { class: 'secret', 'data-secret': '', dir: 'ltr' }, secret);
  const said = h('p', { class: 'hint', role: 'status' });
  const copy = h('button', { type: 'button', 'data-action': 'secret-copy' }, t('secret.copy'));
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(secret);
      said.textContent = t('secret.copied');
    } catch {
      const range = document.createRange();
      range.selectNodeContents(code);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      said.textContent = t('secret.selected');
    }
  });
  slot.replaceChildren(h('section', { class: 'card secret-box', role: 'alert', 'aria-labelledby': 'secret-h' },
    h('h2', { id: 'secret-h', tabindex: '-1' }, title), h('p', null, text), h('p', null, code),
    hint ? h('p', { class: 'hint' }, hint) : null,
    h('div', { class: 'pager' }, copy,
      h('button', { type: 'button', 'data-action': 'secret-done', onclick: () => slot.replaceChildren() }, done || t('keys.secret.done'))),
    said));
  slot.querySelector('h2').focus();
}

// A modal dialog asking for the words a step needs (a reason, a rating, a note). The native
// <dialog> opened with showModal() keeps keyboard focus inside, closes on Escape and is
// announced with its heading; focus goes back to the button that opened it. fields:
// [{name, label, hint, required, kind: 'textarea' | 'number' | 'choice', min, max, value,
// options: [[value, label]]}]. Resolves to {name: value} (strings, trimmed) or null when
// cancelled. Required fields are checked here, in the page's language, not by the browser.
export function askDialog(title, intro, fields, confirmLabel) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = uid('dlg');
    const err = h('div', { 'aria-live': 'assertive' });
    const read = {};
    const rows = fields.map((f) => {
      const id = uid('dlg');
      let control;
      if (f.kind === 'choice') {
        const radios = f.options.map(([value, label], i) => {
          const rid = id + '-' + i;
          const input = h('input', { type: 'radio', name: id, id: rid, value, checked: String(f.value) === String(value) });
          return h('div', { class: 'check' }, input, h('label', { for: rid }, label));
        });
        // A radio group that can be required and marked invalid as one control.
        control = h('fieldset', { class: 'checks', role: 'radiogroup', 'aria-labelledby': id + '-legend', 'data-field': f.name,
          'aria-required': f.required ? 'true' : null },
        h('legend', { id: id + '-legend' }, f.label + (f.required ? ' *' : '')), f.hint ? h('p', { class: 'hint' }, f.hint) : null, radios);
        read[f.name] = { el: control, value: () => (control.querySelector('input:checked') || {}).value || '', label: f.label };
        return control;
      }
      control = f.kind === 'number'
        ? h('input', { type: 'number', id, name: f.name, min: f.min, max: f.max, value: f.value ?? '', 'aria-required': f.required ? 'true' : null })
        : h('textarea', { id, name: f.name, rows: 3, maxlength: 2000, dir: 'auto', 'aria-required': f.required ? 'true' : null });
      read[f.name] = { el: control, value: () => control.value.trim(), label: f.label };
      const hint = f.hint ? h('p', { class: 'hint', id: id + '-hint' }, f.hint) : null;
      if (hint) control.setAttribute('aria-describedby', id + '-hint');
      return h('div', { class: 'field' }, h('label', { for: id }, f.label + (f.required ? ' *' : '')), control, hint);
    });
    let result = null;
    const form = h('form', { method: 'dialog', novalidate: true },
      h('h2', { id: titleId }, title), intro ? h('p', null, intro) : null, rows,
      h('p', { class: 'hint' }, t('dlg.required')), err,
      h('div', { class: 'pager' },
        h('button', { type: 'submit', class: 'primary', 'data-action': 'dialog-ok' }, confirmLabel),
        h('button', { type: 'button', 'data-action': 'dialog-cancel', onclick: () => dlg.close() }, t('common.cancel'))));
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId }, form);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      err.replaceChildren();
      const values = {};
      for (const f of fields) {
        const r = read[f.name];
        values[f.name] = r.value();
        r.el.removeAttribute('aria-invalid');
        const n = Number(values[f.name]);
        const bad = (f.required && !values[f.name]) ||
          (f.kind === 'number' && values[f.name] && (!Number.isInteger(n) || (f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)));
        if (bad) {
          r.el.setAttribute('aria-invalid', 'true');
          err.append(h('div', { class: 'error', role: 'alert' }, f.kind === 'number' && values[f.name]
            ? t('dlg.range', { what: r.label, min: f.min ?? '', max: f.max ?? '' }) : t('dlg.missing', { what: r.label })));
          (r.el.querySelector('input') || r.el).focus();
          return;
        }
      }
      result = values;
      dlg.close();
    });
    dlg.addEventListener('close', () => {
      dlg.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = form.querySelector('textarea, input');
    if (first) first.focus();
  });
}

// The tone of a match's status badge (the word is always shown with it).
export function matchTone(status) {
  if (status === 'COMPLETED' || status === 'ACCEPTED' || status === 'DELIVERED') return 'good';
  if (status === 'DECLINED' || status === 'CANCELLED') return 'bad';
  if (status === 'SUPERSEDED') return 'none';
  return 'info';
}

// An error shown; a stale etag (ABORTED) says so plainly (`text`: what changed; a match by
// default) and reloads what is shown.
export async function staleOr(err, status, reload, text) {
  if (err && err.code === 'aborted') {
    await reload();
    status.replaceChildren(h('div', { class: 'error', role: 'alert', 'data-stale': 'true' },
      h('strong', null, text || t('match.stale')), err.message ? h('p', { class: 'detail', dir: 'auto' }, err.message) : null));
  } else {
    status.replaceChildren(errorBox(err));
  }
}

// Checkboxes under a legend, one per [value, label]; `chosen`: the values ticked at first.
// Returns {el, values: () => the values ticked}.
export function checkGroup(legend, items, chosen) {
  const inputs = items.map(([value, label]) => {
    const id = uid('c');
    return [h('input', { type: 'checkbox', id, value, checked: chosen.includes(value) }), id, label];
  });
  const fs = h('fieldset', { class: 'checks' }, h('legend', null, legend),
    inputs.map(([input, id, label]) => h('div', { class: 'check' }, input, h('label', { for: id }, label))));
  return { el: fs, values: () => inputs.filter(([i]) => i.checked).map(([i]) => i.value) };
}
