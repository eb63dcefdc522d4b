// offers.js: a donor State's offers (create, edit with the etag, withdraw), who is eligible (by
// State, by M49 region or sub-region, or a group such as the least developed countries), and
// the matches on its offers to accept or decline.
import { call, listAll } from '../api.js';
import { h, field } from '../dom.js';
import { t, num, date, langName, LANGS, topicName, regionName } from '../i18n.js';
import { screen, errorBox, success, badge, enumText, simpleTable, actionButton, loading, namesNotice, checkGroup } from '../ui.js';
import { unit } from './match.js';
import { matchesTable } from './capacity.js';

const KINDS = ['EXPERTISE', 'FUNDS', 'EQUIPMENT', 'TRAINING'];
const GROUPS = ['LDC', 'SIDS', 'LLDC'];

export async function render(main, ctx) {
  const code = ctx.who.state.code;
  screen(main, t('off.title'), namesNotice());
  const status = h('div', { 'aria-live': 'polite' });
  const body = h('div', null, loading());
  const formSlot = h('div');
  main.append(status, formSlot, body);
  const [topicsR, statesR] = await Promise.all([
    call('catalog', 'ListTopics', {}), call('catalog', 'ListStates', {}),
  ]);
  const ref = { topics: topicsR.topics || [], states: (statesR.states || []).filter((s) => s.code !== code) };
  const openForm = (offer) => {
    formSlot.replaceChildren(offerForm(code, ref, offer, status, async () => {
      formSlot.replaceChildren(newButton());
      await draw();
    }));
    formSlot.querySelector('input').focus();
  };
  const newButton = () => h('p', null, h('button', { type: 'button', class: 'primary', 'data-action': 'new-offer', onclick: () => openForm(null) }, t('off.new')));
  formSlot.append(newButton());

  async function draw() {
    const [offers, matches] = await Promise.all([
      listAll('matching', 'ListOffers', { donorState: code }, 'offers'),
      listAll('matching', 'ListMatches', { stateCode: code }, 'matches'),
    ]);
    body.replaceChildren(
      h('section', { class: 'card' }, h('h2', null, t('off.list')), offers.length ? simpleTable(t('off.list'),
        [t('col.title'), t('col.kind'), t('col.topics'), t('col.capacity'), t('col.eligible'), t('col.valid'), t('col.status'), t('col.actions')],
        offers.map((o) => [h('span', { dir: 'auto' }, o.title || ''), enumText('kind', o.kind), (o.topics || []).map((x) => topicName(x)).join(', '),
          t('off.remaining', { left: num(o.remaining), cap: unit(o.kind, o.capacity) }),
          eligibility(o), o.validFrom || o.validUntil ? [o.validFrom ? date(o.validFrom) : '…', ' – ', o.validUntil ? date(o.validUntil) : '…'] : t('off.novalidity'),
          badge(o.status === 'OFFER_OPEN' ? 'good' : 'none', enumText('offer', o.status)),
          o.status === 'OFFER_OPEN' ? h('span', { class: 'actions' },
            h('button', { type: 'button', 'data-action': 'edit-offer', onclick: () => openForm(o) }, t('off.edit')),
            actionButton(t('off.withdraw'), async () => {
              status.replaceChildren();
              try {
                await call('matching', 'WithdrawOffer', { offerId: o.id, etag: o.etag });
                status.append(success(t('off.withdrawn')));
                await draw();
              } catch (err) {
                status.append(errorBox(err));
              }
            }, null, 'withdraw')) : '']), true)
        : h('p', null, t('off.none'))),
      h('section', { class: 'card' }, h('h2', null, t('off.matches')),
        matchesTable(matches.filter((m) => m.donorState === code), 'donor', status, draw)));
  }
  await draw();
}

function eligibility(o) {
  const parts = [];
  if ((o.eligibleStates || []).length) parts.push(t('off.elig.states', { n: num(o.eligibleStates.length) }));
  if ((o.eligibleRegions || []).length) parts.push(o.eligibleRegions.join(', '));
  for (const g of o.eligibleGroups || []) parts.push(t('grp.name.' + g));
  return parts.length ? parts.join('; ') : t('off.elig.any');
}

function offerForm(code, ref, offer, status, done) {
  const o = offer || { kind: 'EXPERTISE', topics: [], eligibleStates: [], eligibleRegions: [], eligibleGroups: [], languages: [] };
  const title = h('input', { type: 'text', required: true, maxlength: 200, value: o.title || '', dir: 'auto' });
  const desc = h('textarea', { rows: 3, maxlength: 4000, dir: 'auto' });
  desc.value = o.description || '';
  const kind = h('select', { disabled: Boolean(offer) }, KINDS.map((k) => h('option', { value: k, selected: o.kind === k }, enumText('kind', k) + ' (' + t('unit.' + k) + ')')));
  const capacity = h('input', { type: 'number', min: 1, required: true, value: o.capacity || '' });
  const topics = checkGroup(t('col.topics'), ref.topics.map((x) => [x.id, topicName(x.id, x.title)]), o.topics || []);
  const regionNames = [...new Set(ref.states.flatMap((s) => [s.region, s.subRegion]).filter(Boolean))].sort();
  const regions = h('select', { multiple: true, size: 6 }, regionNames.map((r) => h('option', { value: r, selected: (o.eligibleRegions || []).includes(r) }, regionName(r))));
  const states = h('select', { multiple: true, size: 8 }, ref.states.map((s) => h('option', { value: s.code, selected: (o.eligibleStates || []).includes(s.code) },
    s.name + ' (' + s.code + ')' + (s.ldc ? ' · ' + t('off.ldc') : ''))));
  // UN country groups by name (eligible_groups): the service decides membership on the plan's
  // date, so an offer to the LDCs follows graduations instead of freezing today's list of codes.
  const groups = checkGroup(t('off.groups'), GROUPS.map((g) => [g, t('grp.name.' + g) + ' (' + g + ')']), o.eligibleGroups || []);
  const langs = checkGroup(t('col.languages'), LANGS.map((l) => [l, langName(l)]), o.languages || []);
  const from = h('input', { type: 'date', value: o.validFrom || '' });
  const until = h('input', { type: 'date', value: o.validUntil || '' });
  const err = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card offer-form', 'aria-labelledby': 'of-h', novalidate: true },
    h('h2', { id: 'of-h' }, offer ? t('off.editing', { title: o.title }) : t('off.new')),
    field(t('col.title'), title), field(t('off.description'), desc),
    h('div', { class: 'row' }, field(t('col.kind'), kind, offer ? t('off.kindfixed') : null), field(t('col.capacity'), capacity)),
    topics.el,
    h('fieldset', { class: 'elig' }, h('legend', null, t('col.eligible')), h('p', { class: 'hint' }, t('off.elig.hint')),
      groups.el, h('div', { class: 'row' }, field(t('off.regions'), regions), field(t('off.states'), states))),
    langs.el,
    h('div', { class: 'row' }, field(t('off.from'), from), field(t('off.until'), until)),
    err,
    h('div', { class: 'pager' }, h('button', { type: 'submit', class: 'primary', 'data-action': 'save-offer' }, offer ? t('off.save') : t('off.create')),
      h('button', { type: 'button', onclick: () => done() }, t('common.cancel'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.replaceChildren();
    const body = {
      title: title.value.trim(), description: desc.value.trim(), kind: kind.value, topics: topics.values(),
      capacity: String(Math.trunc(Number(capacity.value) || 0)),
      eligibleRegions: [...regions.selectedOptions].map((x) => x.value),
      eligibleStates: [...states.selectedOptions].map((x) => x.value), eligibleGroups: groups.values(),
      languages: langs.values(), validFrom: from.value, validUntil: until.value,
    };
    try {
      if (offer) await call('matching', 'UpdateOffer', { offer: { ...body, id: offer.id, etag: offer.etag } });
      else await call('matching', 'CreateOffer', { offer: body, requestId: crypto.randomUUID() });
      status.replaceChildren(success(offer ? t('off.saved') : t('off.created')));
      await done();
    } catch (e) {
      err.append(errorBox(e));
    }
  });
  return form;
}
