// keys.js: identities and their API keys (AdminService, README "Identities, keys and roles"):
// operators manage everyone, a State's administrator the delegates of its State. A key's secret
// is shown once, in the reply to CreateKey or RotateKey, and never again; expiry is shown
// before it bites; every change is in the audit log, read here too (ListAuditEvents).
import { call } from '../api.js';
import { h, field } from '../dom.js';
import { t, num, date, dateTime, coded, topicName } from '../i18n.js';
import { screen, errorBox, success, badge, sortableTable, actionButton, loading, namesNotice, showSecret } from '../ui.js';

const SOON_DAYS = 30;
const GRACE = [[3600, 'keys.grace.hour'], [86400, 'keys.grace.day'], [7 * 86400, 'keys.grace.week']];

export async function render(main, ctx) {
  const operator = ctx.who.role === 'ROLE_OPERATOR';
  screen(main, t('keys.title'), h('p', { class: 'lead' }, operator ? t('keys.lead.op') : t('keys.lead.admin')), namesNotice());
  const status = h('div', { 'aria-live': 'polite' });
  const secretSlot = h('div');
  const body = h('div', null, loading());
  const auditSlot = h('section', { class: 'card', 'aria-labelledby': 'audit-h' });
  main.append(status, secretSlot, body, auditSlot);
  const states = operator ? ((await call('catalog', 'ListStates', {})).states || []) : [];

  const secretOf = (created, who) => showSecret(secretSlot, {
    title: t('keys.secret.title', { who }), text: t('keys.secret.text'), secret: created.secret,
    hint: t('keys.secret.expires', { when: created.key.expiresAt ? date(created.key.expiresAt) : t('keys.never') }),
  });

  async function draw() {
    const [ids, keys] = await Promise.all([
      call('admin', 'ListIdentities', {}).then((r) => r.identities || []),
      call('admin', 'ListKeys', {}).then((r) => r.keys || []),
    ]);
    const byId = Object.fromEntries(ids.map((x) => [x.id, x]));
    const person = (k) => (byId[k.identityId] ? byId[k.identityId].displayName : t('keys.noidentity'));
    const act = async (fn, done) => {
      status.replaceChildren();
      try {
        const out = await fn();
        status.append(success(done));
        await draw();
        return out;
      } catch (err) {
        status.append(errorBox(err));
        return null;
      }
    };

    const idTable = sortableTable(t('keys.people'), [
      { key: 'displayName', label: t('col.name'), header: true, cell: (x) => h('span', { dir: 'auto' }, x.displayName) },
      { key: 'email', label: t('col.email'), cell: (x) => h('span', { dir: 'ltr' }, x.email) },
      { key: 'role', label: t('col.role'), cell: (x) => t('role.' + x.role) },
      { key: 'stateCode', label: t('col.state') },
      { key: 'keys', label: t('keys.count'), numeric: true, value: (x) => keys.filter((k) => k.identityId === x.id && !k.revokedAt).length,
        cell: (x) => num(keys.filter((k) => k.identityId === x.id && !k.revokedAt).length) },
      { key: 'createdAt', label: t('col.created'), cell: (x) => dateTime(x.createdAt) },
    ], ids, { sortKey: 'displayName' });

    const now = Date.now();
    const expiry = (k) => {
      if (k.revokedAt) return badge('none', t('keys.revoked', { when: dateTime(k.revokedAt) }));
      if (!k.expiresAt) return badge('info', t('keys.never'));
      const days = Math.floor((Date.parse(k.expiresAt) - now) / 86400000);
      if (days < 0) return badge('bad', t('keys.expired', { when: date(k.expiresAt) }));
      if (days < SOON_DAYS) return badge('warn', t('keys.soon', { days: num(days), when: date(k.expiresAt) }));
      return badge('good', t('keys.until', { when: date(k.expiresAt) }));
    };
    const keyTable = sortableTable(t('keys.keys'), [
      { key: 'id', label: t('col.key'), header: true, cell: (k) => h('code', { 'data-key': k.id }, k.id) },
      { key: 'person', label: t('col.name'), value: person, cell: (k) => h('span', { dir: 'auto' }, person(k)) },
      { key: 'label', label: t('col.label'), cell: (k) => h('span', { dir: 'auto' }, k.label || '') },
      { key: 'role', label: t('col.role'), cell: (k) => t('role.' + k.role) + (k.stateCode ? ' · ' + k.stateCode : '') },
      { key: 'expiresAt', label: t('col.expires'), value: (k) => (k.revokedAt ? 'z' + k.revokedAt : k.expiresAt || 'y'), cell: expiry },
      { key: 'lastUsedAt', label: t('col.lastused'), cell: (k) => (k.lastUsedAt ? dateTime(k.lastUsedAt) : t('keys.unused')) },
      { key: 'actions', label: t('col.actions'), value: () => '', cell: (k) => (k.revokedAt ? (k.replacedBy ? t('keys.replaced', { id: k.replacedBy }) : '') : keyActions(k)) },
    ], keys, { sortKey: 'person' });

    function keyActions(k) {
      const grace = h('select', { 'aria-label': t('keys.grace.label', { id: k.id }) },
        GRACE.map(([s, label]) => h('option', { value: s, selected: s === 86400 }, t(label))));
      const rotate = actionButton(t('keys.rotate'), async () => {
        const out = await act(() => call('admin', 'RotateKey', { keyId: k.id, graceSeconds: Number(grace.value) }), t('keys.rotated', { id: k.id }));
        if (out) secretOf(out, person(k));
      }, null, 'rotate-key');
      rotate.setAttribute('aria-label', t('keys.rotate.named', { id: k.id }));
      // Revoking takes two clicks: the first asks, the second does it.
      const revoke = h('button', { type: 'button', 'data-action': 'revoke-key', 'aria-label': t('keys.revoke.named', { id: k.id }) }, t('keys.revoke'));
      revoke.addEventListener('click', () => {
        if (revoke.dataset.armed !== '1') {
          revoke.dataset.armed = '1';
          revoke.textContent = t('keys.revoke.confirm');
          revoke.setAttribute('aria-label', t('keys.revoke.confirm.named', { id: k.id }));
          return;
        }
        revoke.disabled = true;
        act(() => call('admin', 'RevokeKey', { keyId: k.id }), t('keys.revokedok', { id: k.id }));
      });
      return h('span', { class: 'actions' }, grace, rotate, revoke);
    }

    body.replaceChildren(
      h('section', { class: 'card' }, h('h2', null, t('keys.people')), h('div', { class: 'table-wrap' }, idTable.table)),
      identityForm(operator, ctx.who, states, (x) => act(() => call('admin', 'CreateIdentity', x), t('keys.identity.created', { name: x.displayName }))),
      h('section', { class: 'card' }, h('h2', null, t('keys.keys')), h('div', { class: 'table-wrap' }, keyTable.table)),
      keyForm(ids, async (x, who) => {
        const out = await act(() => call('admin', 'CreateKey', x), t('keys.created', { who }));
        if (out) secretOf(out, who);
      }));
    drawAudit(auditSlot, ids);
  }
  await draw();
}

function identityForm(operator, who, states, create) {
  const name = h('input', { type: 'text', required: true, maxlength: 200, dir: 'auto', autocomplete: 'off' });
  const email = h('input', { type: 'email', required: true, maxlength: 254, dir: 'ltr', autocomplete: 'off' });
  const roles = operator ? ['STATE_DELEGATE', 'STATE_ADMIN', 'OPERATOR'] : ['STATE_DELEGATE'];
  const role = h('select', null, roles.map((r) => h('option', { value: r }, t('role.' + r))));
  const state = operator
    ? h('select', null, states.map((s) => h('option', { value: s.code }, s.name + ' (' + s.code + ')')))
    : h('input', { type: 'text', value: who.state.code, readonly: true });
  const sync = () => { state.disabled = role.value === 'OPERATOR'; };
  role.addEventListener('change', sync);
  sync();
  const form = h('form', { class: 'card inline-form identity-form', 'aria-labelledby': 'nid-h', novalidate: true },
    h('h2', { id: 'nid-h' }, t('keys.identity.new')),
    h('div', { class: 'row' }, field(t('col.name'), name), field(t('col.email'), email), field(t('col.role'), role), field(t('col.state'), state)),
    h('button', { type: 'submit', class: 'primary', 'data-action': 'create-identity' }, t('keys.identity.create')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    create({ displayName: name.value.trim(), email: email.value.trim(), role: role.value,
      stateCode: role.value === 'OPERATOR' ? '' : state.value });
  });
  return form;
}

function keyForm(ids, create) {
  const who = h('select', null, ids.map((x) => h('option', { value: x.id }, x.displayName + ' <' + x.email + '>')));
  const label = h('input', { type: 'text', maxlength: 100, dir: 'auto', placeholder: t('keys.label.example') });
  const days = h('input', { type: 'number', min: 1, max: 3660, value: 365 });
  const form = h('form', { class: 'card inline-form key-form', 'aria-labelledby': 'nkey-h', novalidate: true },
    h('h2', { id: 'nkey-h' }, t('keys.new')),
    h('div', { class: 'row' }, field(t('col.name'), who), field(t('col.label'), label), field(t('keys.days'), days, t('keys.days.hint'))),
    h('button', { type: 'submit', class: 'primary', 'data-action': 'create-key', disabled: !ids.length }, t('keys.create')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const x = ids.find((i) => i.id === who.value);
    create({ identityId: who.value, label: label.value.trim(), expiresInDays: Number(days.value) || 0 }, x ? x.displayName : '');
  });
  return form;
}

// What an audit event's arguments are, where they are more than text: a value with words of its
// own (the message key's prefix), a date, an instant, a count or a topic. The codes and their arguments:
// common/audit.c; their messages "audit.<code>" in each language.
const ITEM = { 2: 'enum.kind.' };
const MATCH = { 1: 'enum.match.', 2: 'enum.match.', 3: 'audit.side.' };
const AUDIT_ARGS = {
  'identity-created': { 2: 'role.' }, 'identity-created-for-state': { 2: 'role.' },
  'key-created': { 4: 'instant' }, 'key-rotated': { 4: 'count' },
  'membership-recorded': { 0: 'grp.kind.', 3: 'date', 5: 'date', 6: 'date' },
  'directory-recorded': { 4: 'count' }, 'round-started': { 1: 'count', 2: 'instant' },
  'compilation-published': { 2: 'topic', 3: 'count' },
  'visibility-changed': { 1: 'enum.visibility.', 2: 'enum.visibility.' },
  'evidence-attached': { 2: 'count' },
  'offer-created': { ...ITEM, 3: 'enum.offer.OFFER_' }, 'offer-updated': { ...ITEM, 3: 'enum.offer.OFFER_' },
  'offer-withdrawn': { ...ITEM, 3: 'enum.offer.OFFER_' },
  'request-created': { ...ITEM, 3: 'enum.request.REQUEST_' }, 'request-withdrawn': { ...ITEM, 3: 'enum.request.REQUEST_' },
  'requests-derived': { 0: 'count' }, 'plan-proposed': { 1: 'date', 2: 'count', 3: 'count' },
  'plan-committed': { 1: 'count', 2: 'count' },
  'match-advanced': MATCH, 'match-advanced-returned': { ...MATCH, 5: 'count' },
  'match-advanced-by-operator': MATCH, 'match-advanced-by-operator-returned': { ...MATCH, 6: 'count' },
  'admin-key-created': { 0: 'audit.keyrole.' },
};

function auditArg(kind, v) {
  if (v === '') return '—';
  if (kind === 'date') return date(v);
  if (kind === 'instant') return dateTime(v);
  if (kind === 'count') return /^\d+$/.test(v) ? num(v) : v;
  if (kind === 'topic') return topicName(v);
  if (kind && t(kind + v) !== kind + v) return t(kind + v);
  return v;
}

// The event's summary in the reader's language; the server's English for an event written before
// summaries had codes, or with a code newer than this portal.
function auditText(e) {
  const kinds = AUDIT_ARGS[e.summaryCode] || {};
  return coded('audit.', e.summaryCode, (e.summaryArgs || []).map((v, i) => auditArg(kinds[i], v)));
}

function auditSummary(e) {
  const said = auditText(e);
  return said === null ? h('span', { lang: 'en', dir: 'ltr' }, e.summary) : h('span', { dir: 'auto' }, said);
}

// The audit log, newest first, a page at a time, filtered by time, person and resource.
function drawAudit(slot, ids) {
  const since = h('input', { type: 'date' });
  const whom = h('select', null, h('option', { value: '' }, t('keys.audit.anyone')),
    ids.map((x) => h('option', { value: x.id }, x.displayName)));
  const kind = h('select', null, ['', 'key/', 'identity/', 'assessment/', 'evidence/', 'offer/', 'request/', 'plan/', 'match/']
    .map((k) => h('option', { value: k }, k ? k.slice(0, -1) : t('keys.audit.anything'))));
  const out = h('div', { 'aria-live': 'polite' });
  let events = [];
  let token = '';
  const more = actionButton(t('keys.audit.more'), () => load(false), null, 'audit-more');
  async function load(fresh) {
    if (fresh) {
      events = [];
      token = '';
    }
    try {
      const r = await call('admin', 'ListAuditEvents', {
        since: since.value ? since.value + 'T00:00:00Z' : '', identityId: whom.value, resource: kind.value, pageSize: 50, pageToken: token,
      });
      events = events.concat(r.events || []);
      token = r.nextPageToken || '';
    } catch (err) {
      out.replaceChildren(errorBox(err));
      return;
    }
    more.hidden = !token;
    const tbl = sortableTable(t('keys.audit'), [
      { key: 'at', label: t('col.when'), header: true, cell: (e) => dateTime(e.at) },
      { key: 'actor', label: t('col.author'), cell: (e) => h('span', { dir: 'auto' }, e.actor) },
      { key: 'method', label: t('col.method'), value: (e) => (e.method || '').split('/').pop(), cell: (e) => h('code', null, (e.method || '').split('/').pop()) },
      { key: 'resource', label: t('col.resource'), cell: (e) => h('code', null, e.resource) },
      { key: 'stateCode', label: t('col.state') },
      { key: 'summary', label: t('col.summary'), value: (e) => auditText(e) ?? e.summary, cell: auditSummary },
    ], events, {});
    out.replaceChildren(events.length ? h('div', { class: 'table-wrap' }, tbl.table) : h('p', null, t('keys.audit.none')));
  }
  const form = h('form', { class: 'filters row', novalidate: true },
    field(t('keys.audit.since'), since), field(t('col.author'), whom), field(t('col.resource'), kind),
    h('button', { type: 'submit', 'data-action': 'audit-filter' }, t('keys.audit.show')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load(true);
  });
  slot.replaceChildren(h('h2', { id: 'audit-h' }, t('keys.audit')), form, out, more);
  load(true);
}
