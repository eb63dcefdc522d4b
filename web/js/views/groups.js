// groups.js: the UN country groups (LDC, SIDS, LLDC) with their members on a chosen date
// (ListCountryGroups), the changes operators recorded, and for operators, recording one:
// an admission, a graduation or a postponement of one, with its legal reference
// (RecordGroupChange). Matching gives least developed countries priority by these memberships.
import { call } from '../api.js';
import { h, field } from '../dom.js';
import { t, num, date, dateTime } from '../i18n.js';
import { screen, errorBox, success, simpleTable, loading, namesNotice } from '../ui.js';

const GROUPS = ['LDC', 'SIDS', 'LLDC'];
const KINDS = ['ADMISSION', 'GRADUATION', 'POSTPONEMENT'];

export async function render(main, ctx) {
  const operator = ctx.who.role === 'ROLE_OPERATOR';
  screen(main, t('grp.title'), h('p', { class: 'lead' }, t('grp.lead')), namesNotice());
  const status = h('div', { 'aria-live': 'polite' });
  const asOf = h('input', { type: 'date', value: new Date().toISOString().slice(0, 10) });
  const groupsBox = h('div', null, loading());
  const changesBox = h('section', { class: 'card', 'aria-labelledby': 'grp-ch-h' });
  const form = h('form', { class: 'filters row', novalidate: true }, field(t('grp.asof'), asOf),
    h('button', { type: 'submit', 'data-action': 'groups-asof' }, t('grp.show')));
  main.append(status, form, groupsBox);
  const states = (await call('catalog', 'ListStates', {})).states || [];
  const names = Object.fromEntries(states.map((s) => [s.code, s.name]));

  async function drawGroups() {
    const r = await call('catalog', 'ListCountryGroups', { asOf: asOf.value });
    groupsBox.replaceChildren(...(r.groups || []).map((g) => h('section', { class: 'card', 'data-group': g.id },
      h('h2', null, t('grp.group', { id: g.id, name: t('grp.name.' + g.id), n: num((g.members || []).length) })),
      h('p', { class: 'hint' }, t('grp.source', { source: g.source || '' }), ' · ', t('grp.on', { date: date(r.asOf) })),
      (g.members || []).length ? simpleTable(t('grp.members', { id: g.id }), [t('col.state'), t('col.code'), t('col.region')],
        g.members.map((code) => {
          const s = states.find((x) => x.code === code) || {};
          return [names[code] || code, code, s.intermediateRegion || s.subRegion || s.region || ''];
        }), true) : h('p', null, t('grp.empty')))));
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    drawGroups().catch((err) => groupsBox.replaceChildren(errorBox(err)));
  });

  async function drawChanges() {
    const r = await call('catalog', 'ListGroupChanges', {});
    const changes = r.changes || [];
    changesBox.replaceChildren(h('h2', { id: 'grp-ch-h' }, t('grp.changes')), changes.length
      ? simpleTable(t('grp.changes'), [t('col.when'), t('col.state'), t('grp.grouplabel'), t('grp.kind'), t('grp.effective'), t('grp.reference'), t('col.author')],
        changes.map((c) => [dateTime(c.recordedAt), names[c.stateCode] || c.stateCode, c.group, t('grp.kind.' + c.kind),
          c.effectiveDate ? date(c.effectiveDate) : t('grp.notset'), c.legalReference || '', h('span', { dir: 'auto' }, c.recordedBy || '')]), true)
      : h('p', null, t('grp.nochanges')));
  }
  main.append(changesBox);
  if (operator) main.append(changeForm(states, status, async () => { await drawGroups(); await drawChanges(); }));
  await Promise.all([drawGroups(), drawChanges()]);
}

function changeForm(states, status, done) {
  const state = h('select', null, states.map((s) => h('option', { value: s.code }, s.name + ' (' + s.code + ')')));
  const group = h('select', null, GROUPS.map((g) => h('option', { value: g }, g + ' · ' + t('grp.name.' + g))));
  const kind = h('select', null, KINDS.map((k) => h('option', { value: k }, t('grp.kind.' + k))));
  const when = h('input', { type: 'date' });
  const ref = h('input', { type: 'text', required: true, maxlength: 200, placeholder: 'A/RES/76/8', dir: 'ltr' });
  const note = h('input', { type: 'text', maxlength: 1000, dir: 'auto' });
  const err = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card inline-form group-form', 'aria-labelledby': 'grp-new-h', novalidate: true },
    h('h2', { id: 'grp-new-h' }, t('grp.record')),
    h('div', { class: 'row' }, field(t('col.state'), state), field(t('grp.grouplabel'), group), field(t('grp.kind'), kind)),
    h('div', { class: 'row' }, field(t('grp.effective'), when, t('grp.effective.hint')), field(t('grp.reference'), ref), field(t('grp.note'), note)),
    err, h('button', { type: 'submit', class: 'primary', 'data-action': 'record-group-change' }, t('grp.record.do')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.replaceChildren();
    try {
      const c = await call('catalog', 'RecordGroupChange', {
        requestId: crypto.randomUUID(), stateCode: state.value, group: group.value, kind: kind.value,
        effectiveDate: when.value, legalReference: ref.value.trim(), note: note.value.trim(),
      });
      status.replaceChildren(success(t('grp.recorded', { state: c.stateCode, group: c.group })));
      await done();
    } catch (e) {
      err.append(errorBox(e));
    }
  });
  return form;
}
