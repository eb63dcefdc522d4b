// directory.js: the points of contact and CERTs of Resolution #1 para 6 (DirectoryService,
// docs/directory.md): every key reads every entry; a State edits its own (with the version it
// read: when someone changed it meanwhile the service says ABORTED and nothing is overwritten);
// operators run reachability rounds and read who answered; a State confirms a round.
import { call } from '../api.js';
import { h, field, uid } from '../dom.js';
import { t, num, date, dateTime } from '../i18n.js';
import { screen, errorBox, success, badge, sortableTable, simpleTable, actionButton, loading, namesNotice } from '../ui.js';

const CERTS_MAX = 10;
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);

export async function render(main, ctx) {
  const operator = ctx.who.role === 'ROLE_OPERATOR';
  screen(main, t('dir.title'), h('p', { class: 'lead' }, t('dir.lead')), namesNotice());
  const status = h('div', { 'aria-live': 'polite' });
  const body = h('div', null, loading());
  main.append(status, body);
  const states = (await call('catalog', 'ListStates', {})).states || [];
  const names = Object.fromEntries(states.map((s) => [s.code, s.name]));

  async function draw() {
    const entries = [];
    for (let token = ''; ;) { // pages of at most 200, as the service allows
      const r = await call('directory', 'ListDirectoryEntries', { pageSize: 200, pageToken: token });
      entries.push(...(r.entries || []));
      token = r.nextPageToken || '';
      if (!token) break;
    }
    const own = ctx.who.state ? entries.find((e) => e.stateCode === ctx.who.state.code) : null;
    const tbl = sortableTable(t('dir.caption'), [
      { key: 'state', label: t('col.state'), header: true, value: (e) => names[e.stateCode] || e.stateCode,
        cell: (e) => [names[e.stateCode] || e.stateCode, ' ', h('span', { class: 'muted' }, e.stateCode)] },
      { key: 'unit', label: t('dir.unit'), value: (e) => poc(e).unit || '', cell: (e) => h('span', { dir: 'auto' }, poc(e).unit || '') },
      { key: 'email', label: t('col.email'), value: (e) => poc(e).email || '', cell: (e) => h('span', { dir: 'ltr' }, poc(e).email || '') },
      { key: 'phone', label: t('dir.phone'), value: (e) => poc(e).phone || '', cell: (e) => h('span', { dir: 'ltr' }, poc(e).phone || '') },
      { key: 'languages', label: t('col.languages'), value: (e) => (poc(e).languages || []).join(', ') },
      { key: 'certs', label: t('dir.certs'), value: (e) => (e.certs || []).map((c) => c.name).join(', '),
        cell: (e) => (e.certs || []).map((c) => h('div', { dir: 'auto' }, c.name, ' ',
          c.firstMember ? badge('good', t('dir.first')) : badge('none', t('dir.notfirst')))) },
      { key: 'version', label: t('dir.version'), numeric: true, value: (e) => e.version || 0, cell: (e) => num(e.version || 0) },
      { key: 'updatedAt', label: t('col.updated'), cell: (e) => dateTime(e.updatedAt) },
      { key: 'lastConfirmedAt', label: t('dir.confirmed'), cell: (e) => (e.lastConfirmedAt ? dateTime(e.lastConfirmedAt) : t('dir.never')) },
    ], entries, { sortKey: 'state' });
    const parts = [h('section', { class: 'card' }, h('h2', null, t('dir.caption')),
      entries.length ? h('div', { class: 'table-wrap' }, tbl.table) : h('p', null, t('dir.none')))];
    if (ctx.who.state) {
      parts.push(entryForm(ctx.who.state.code, own, status, draw));
      parts.push(await historyCard(ctx.who.state.code));
      parts.push(confirmCard(status));
    }
    if (operator) parts.push(await roundsCard(status, names));
    body.replaceChildren(...parts);
  }
  await draw();
}

function poc(e) {
  return e.pointOfContact || {};
}

function entryForm(code, entry, status, done) {
  const p = entry ? poc(entry) : {};
  const input = (value, attrs = {}) => h('input', { type: 'text', value: value || '', dir: 'auto', ...attrs });
  const unit = input(p.unit, { maxlength: 200 });
  const titles = input((p.roleTitles || []).join(', '));
  const email = input(p.email, { type: 'email', dir: 'ltr' });
  const phone = input(p.phone, { type: 'tel', dir: 'ltr', placeholder: '+22921300000' });
  const secure = input(p.secureChannel, { dir: 'ltr' });
  const langs = input((p.languages || []).join(', '), { dir: 'ltr', placeholder: 'fr, en' });
  const hours = input(p.hours);
  const zone = input(p.hoursTimeZone, { dir: 'ltr', placeholder: 'Africa/Porto-Novo' });
  const since = h('input', { type: 'date', value: p.establishedOn || '' });
  const certs = h('div', { class: 'certs' });
  const addCert = (c = {}) => {
    const id = uid('first');
    const row = h('fieldset', { class: 'cert' }, h('legend', null, t('dir.cert')),
      h('div', { class: 'row' },
        field(t('dir.cert.name'), input(c.name, { 'data-f': 'name' })),
        h('div', { class: 'check' }, h('input', { type: 'checkbox', id, 'data-f': 'firstMember', checked: c.firstMember }), h('label', { for: id }, t('dir.first'))),
        field(t('dir.cert.accredited'), h('input', { type: 'date', value: c.accreditationDate || '', 'data-f': 'accreditationDate' })),
        field(t('dir.cert.website'), input(c.website, { type: 'url', dir: 'ltr', 'data-f': 'website' })),
        field(t('dir.cert.contact'), input(c.contact, { type: 'email', dir: 'ltr', 'data-f': 'contact' }))),
      h('button', { type: 'button', class: 'link', onclick: () => row.remove() }, t('dir.cert.remove')));
    certs.append(row);
    return row;
  };
  for (const c of (entry && entry.certs) || []) addCert(c);
  const add = h('button', { type: 'button', 'data-action': 'add-cert', onclick: () => {
    if (certs.children.length < CERTS_MAX) addCert().querySelector('input').focus();
  } }, t('dir.cert.add'));
  const err = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card directory-form', 'aria-labelledby': 'dir-own-h', novalidate: true },
    h('h2', { id: 'dir-own-h' }, entry ? t('dir.own', { v: num(entry.version) }) : t('dir.own.new')),
    h('fieldset', null, h('legend', null, t('dir.poc')),
      h('div', { class: 'row' }, field(t('dir.unit'), unit), field(t('dir.titles'), titles, t('dir.commas'))),
      h('div', { class: 'row' }, field(t('col.email'), email), field(t('dir.phone'), phone, t('dir.phone.hint')), field(t('dir.secure'), secure)),
      h('div', { class: 'row' }, field(t('col.languages'), langs, t('dir.langs.hint')), field(t('dir.hours'), hours), field(t('dir.zone'), zone, t('dir.zone.hint')),
        field(t('dir.since'), since))),
    h('fieldset', null, h('legend', null, t('dir.certs')), certs, add),
    err,
    h('button', { type: 'submit', class: 'primary', 'data-action': 'save-directory' }, t('dir.save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.replaceChildren();
    const certList = [...certs.querySelectorAll('fieldset.cert')].map((row) => {
      const v = (f) => row.querySelector('[data-f=' + f + ']');
      return { name: v('name').value.trim(), firstMember: v('firstMember').checked, accreditationDate: v('accreditationDate').value,
        website: v('website').value.trim(), contact: v('contact').value.trim() };
    });
    try {
      await call('directory', 'PutDirectoryEntry', {
        stateCode: code, expectedVersion: entry ? entry.version : 0, requestId: crypto.randomUUID(),
        pointOfContact: { unit: unit.value.trim(), roleTitles: list(titles.value), email: email.value.trim(), phone: phone.value.trim(),
          secureChannel: secure.value.trim(), languages: list(langs.value), hours: hours.value.trim(), hoursTimeZone: zone.value.trim(),
          establishedOn: since.value },
        certs: certList,
      });
      status.replaceChildren(success(t('dir.saved')));
      await done();
    } catch (e) {
      err.append(errorBox(e));
    }
  });
  return form;
}

async function historyCard(code) {
  const r = await call('directory', 'ListDirectoryHistory', { stateCode: code, pageSize: 20 });
  const versions = r.versions || [];
  return h('section', { class: 'card' }, h('h2', null, t('dir.history')), versions.length
    ? simpleTable(t('dir.history'), [t('dir.version'), t('col.when'), t('col.author'), t('dir.unit'), t('dir.certs')],
      versions.map((v) => [num(v.version || 0), dateTime(v.updatedAt), h('span', { dir: 'auto' }, v.updatedBy || ''),
        h('span', { dir: 'auto' }, poc(v).unit || ''), (v.certs || []).map((c) => c.name).join(', ')]), true)
    : h('p', null, t('dir.history.none')));
}

function confirmCard(status) {
  const round = h('input', { type: 'number', min: 1, required: true });
  const form = h('form', { class: 'card inline-form', 'aria-labelledby': 'dir-confirm-h', novalidate: true },
    h('h2', { id: 'dir-confirm-h' }, t('dir.confirm')), h('p', null, t('dir.confirm.text')),
    h('div', { class: 'row' }, field(t('dir.round'), round)),
    h('button', { type: 'submit', 'data-action': 'confirm-round' }, t('dir.confirm.do')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    try {
      const c = await call('directory', 'ConfirmReachability', { roundId: String(Number(round.value) || 0), requestId: crypto.randomUUID() });
      status.append(success(t('dir.confirmed.ok', { round: c.roundId, when: dateTime(c.confirmedAt) })));
    } catch (e) {
      status.append(errorBox(e));
    }
  });
  return form;
}

async function roundsCard(status, names) {
  const card = h('section', { class: 'card', 'aria-labelledby': 'dir-rounds-h' }, h('h2', { id: 'dir-rounds-h' }, t('dir.rounds')));
  const days = h('input', { type: 'number', min: 1, max: 90, value: 14 });
  const note = h('input', { type: 'text', maxlength: 500, dir: 'auto' });
  const report = h('div', { class: 'round-report' });
  const showReport = async () => {
    try {
      const r = await call('directory', 'GetReachabilityReport', { roundId: '0' });
      const rd = r.round || {};
      report.replaceChildren(...[h('h3', null, t('dir.report', { round: rd.id, from: date(rd.startedAt), to: date(rd.closesAt) })),
        h('p', null, r.closed ? badge('none', t('dir.report.closed')) : badge('info', t('dir.report.open')), ' ',
          t('dir.report.counts', { yes: num((r.confirmed || []).length), no: num((r.unconfirmed || []).length) })),
        (r.confirmed || []).length ? simpleTable(t('dir.report.confirmed'), [t('col.state'), t('col.when'), t('col.author')],
          r.confirmed.map((c) => [names[c.stateCode] || c.stateCode, dateTime(c.confirmedAt), h('span', { dir: 'auto' }, c.confirmedBy || '')])) : null,
        (r.unconfirmed || []).length ? h('p', null, t('dir.report.waiting', { list: r.unconfirmed.join(', ') })) : null].filter(Boolean));
    } catch (e) {
      report.replaceChildren(e.code === 'not_found' ? h('p', null, t('dir.rounds.none')) : errorBox(e));
    }
  };
  card.append(h('div', { class: 'row' }, field(t('dir.window'), days), field(t('dir.note'), note)),
    actionButton(t('dir.start'), async () => {
      status.replaceChildren();
      try {
        const rd = await call('directory', 'StartReachabilityRound', { windowDays: Number(days.value) || 0, note: note.value.trim(), requestId: crypto.randomUUID() });
        status.append(success(t('dir.started', { round: rd.id, n: num((rd.states || []).length) })));
        await showReport();
      } catch (e) {
        status.append(errorBox(e));
      }
    }, 'primary', 'start-round'), report);
  await showReport();
  return card;
}
