// notifications.js: a State's webhook (docs/notifications.md, NotificationService): the endpoint
// the platform posts the events that concern the State to (deadlines, matches, reachability
// rounds), its signing secret shown once when it is set (SetWebhook), and the log of every
// delivery attempt (ListDeliveries), newest first, a page at a time. Operators read any State's
// endpoint and log (support), and never set one.
import { call, ApiError } from '../api.js';
import { h, field } from '../dom.js';
import { t, num, dateTime } from '../i18n.js';
import { screen, errorBox, badge, enumText, sortableTable, actionButton, loading, showSecret, namesNotice } from '../ui.js';

const PAGE = 20; // rows a page: a short reply on a slow link
const TONE = { DELIVERED: 'good', RETRY: 'warn', DEAD: 'bad' };

export async function render(main, ctx) {
  const operator = ctx.who.role === 'ROLE_OPERATOR';
  screen(main, t('hooks.title'), h('p', { class: 'lead' }, t('hooks.lead')), operator ? namesNotice() : null);
  const picker = h('div');
  const secretSlot = h('div');
  const body = h('div', null, loading());
  main.append(picker, secretSlot, body);
  let code = operator ? '' : ctx.who.state.code;
  if (operator) {
    const states = (await call('catalog', 'ListStates', {})).states || [];
    const sel = h('select', { 'data-field': 'state' }, states.map((s) => h('option', { value: s.code }, s.name + ' (' + s.code + ')')));
    code = states.length ? states[0].code : '';
    const form = h('form', { class: 'filters row', novalidate: true }, field(t('col.state'), sel),
      h('button', { type: 'submit', 'data-action': 'hooks-state' }, t('hooks.show')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      code = sel.value;
      draw().catch((err) => body.replaceChildren(errorBox(err)));
    });
    picker.append(form);
  }

  async function draw() {
    let hook = null;
    try {
      hook = await call('notifications', 'GetWebhook', { stateCode: code });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'not_found')) throw err;
    }
    const log = deliveries(code);
    body.replaceChildren(endpointCard(hook, log.latest), operator ? null : setForm(hook), log.card);
    await log.load(true);
  }

  function setForm(hook) {
    const url = h('input', { type: 'url', required: true, maxlength: 2048, dir: 'ltr', placeholder: 'https://', value: hook ? hook.url : '', autocomplete: 'off' });
    const status = h('div', { 'aria-live': 'polite' });
    const form = h('form', { class: 'card inline-form hook-form', 'aria-labelledby': 'hook-set-h', novalidate: true },
      h('h2', { id: 'hook-set-h' }, hook ? t('hooks.replace') : t('hooks.register')),
      field(t('hooks.url'), url, t('hooks.url.hint')),
      hook ? h('p', { class: 'notice-box', role: 'note' }, t('hooks.rotate.warn')) : null,
      h('button', { type: 'submit', class: 'primary', 'data-action': 'set-webhook' }, hook ? t('hooks.replace.do') : t('hooks.register.do')),
      status);
    let requestId = null; // one key per URL sent: a retry after a lost reply gets the same secret
    let sentUrl = null;
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      status.replaceChildren();
      const value = url.value.trim();
      url.removeAttribute('aria-invalid');
      if (!value) {
        url.setAttribute('aria-invalid', 'true');
        status.append(errorBox({ code: 'hooks_nourl', message: '' }));
        url.focus();
        return;
      }
      if (value !== sentUrl) {
        requestId = crypto.randomUUID();
        sentUrl = value;
      }
      const button = form.querySelector('[data-action=set-webhook]');
      button.disabled = true;
      try {
        const out = await call('notifications', 'SetWebhook', { url: value, requestId });
        requestId = null;
        sentUrl = null;
        await draw();
        showSecret(secretSlot, {
          title: t('hooks.secret.title'), text: t('hooks.secret.text'), secret: out.secret,
          hint: t('hooks.secret.hint', { url: out.webhook ? out.webhook.url : value }),
          done: t('hooks.secret.done'),
        });
      } catch (err) {
        if (err.code !== 'unavailable' && err.code !== 'deadline_exceeded') {
          requestId = null; // refused: the next try is a new call
          sentUrl = null;
        }
        status.append(errorBox(err));
        if (err.code === 'invalid_argument') url.setAttribute('aria-invalid', 'true');
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }
  await draw();
}

// The endpoint as registered, and how its last delivery went (filled in once the log is read).
function endpointCard(hook, latest) {
  const rows = hook
    ? [[t('hooks.url'), h('code', { dir: 'ltr', 'data-hook-url': '' }, hook.url)],
      [t('hooks.updated'), t('hooks.updated.by', { when: dateTime(hook.updatedAt), who: hook.updatedBy || '' })],
      [t('hooks.state'), latest]]
    : [];
  return h('section', { class: 'card hook', 'aria-labelledby': 'hook-h' }, h('h2', { id: 'hook-h' }, t('hooks.endpoint')),
    hook ? h('dl', { class: 'answer' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]))
      : h('p', { 'data-hook-none': '' }, badge('none', t('hooks.none'))),
    h('p', { class: 'hint' }, t('hooks.verify')));
}

// The delivery log: pages of PAGE attempts, newest first; an event's id shows only its attempts.
function deliveries(code) {
  const latest = h('span', null, t('common.loading'));
  const out = h('div', { 'aria-live': 'polite' });
  const filterNote = h('p');
  let rows = [];
  let token = '';
  let eventId = '';
  const more = actionButton(t('hooks.more'), () => load(false), null, 'deliveries-more');
  const refresh = actionButton(t('hooks.refresh'), () => load(true), null, 'deliveries-refresh');
  more.hidden = true;

  async function load(fresh) {
    if (fresh) {
      rows = [];
      token = '';
    }
    let r;
    try {
      r = await call('notifications', 'ListDeliveries', { stateCode: code, eventId, pageSize: PAGE, pageToken: token });
    } catch (err) {
      out.replaceChildren(errorBox(err));
      return;
    }
    rows = rows.concat(r.deliveries || []);
    token = r.nextPageToken || '';
    more.hidden = !token;
    if (fresh && !eventId) latest.replaceChildren(lastState(rows[0]));
    filterNote.replaceChildren(...(eventId ? [t('hooks.only', { id: eventId }), ' ',
      h('button', { type: 'button', class: 'link', 'data-action': 'deliveries-all', onclick: () => { eventId = ''; load(true); } }, t('hooks.all'))] : []));
    const tbl = sortableTable(t('hooks.log'), [
      { key: 'at', label: t('col.when'), header: true, cell: (d) => dateTime(d.at) },
      { key: 'eventType', label: t('hooks.event'), cell: (d) => h('code', null, d.eventType) },
      { key: 'eventId', label: t('hooks.eventid'), cell: (d) => h('button', {
        type: 'button', class: 'link', 'data-action': 'deliveries-event', 'data-event': d.eventId,
        'aria-label': t('hooks.eventid.named', { id: d.eventId }), onclick: () => { eventId = d.eventId; load(true); },
      }, h('code', null, String(d.eventId || '').slice(0, 8))) },
      { key: 'attempt', label: t('hooks.attempt'), numeric: true, value: (d) => d.attempt || 0, cell: (d) => num(d.attempt || 0) },
      { key: 'httpStatus', label: t('hooks.http'), numeric: true, value: (d) => d.httpStatus || 0,
        cell: (d) => (d.httpStatus ? String(d.httpStatus) : t('hooks.noanswer')) },
      { key: 'outcome', label: t('col.status'), value: (d) => d.outcome || '',
        cell: (d) => h('span', { 'data-outcome': d.outcome || '' }, badge(TONE[d.outcome] || 'none', enumText('outcome', d.outcome))) },
      { key: 'error', label: t('hooks.error'), cell: (d) => (d.error ? h('span', { lang: 'en', dir: 'ltr' }, d.error) : '—') },
    ], rows, {});
    out.replaceChildren(rows.length ? h('div', { class: 'table-wrap' }, tbl.table)
      : h('p', null, t('hooks.nolog')), h('p', { class: 'hint' }, t('hooks.shown', { n: num(rows.length) })));
  }

  const card = h('section', { class: 'card deliveries', 'aria-labelledby': 'log-h' },
    h('h2', { id: 'log-h' }, t('hooks.log')), h('p', null, t('hooks.log.text')), filterNote,
    h('div', { class: 'pager' }, refresh), out, more);
  return { card, latest, load };
}

function lastState(d) {
  if (!d) return badge('none', t('hooks.state.none'));
  const when = dateTime(d.at);
  if (d.outcome === 'DELIVERED') return badge('good', t('hooks.state.ok', { when }));
  if (d.outcome === 'DEAD') return badge('bad', t('hooks.state.dead', { when }));
  return badge('warn', t('hooks.state.retry', { when, status: d.httpStatus ? String(d.httpStatus) : t('hooks.noanswer') }));
}
