// match.js: the life of one match after its plan is committed (docs/matching-model.md, "The life
// of a match"): what it is, the steps the caller may take now, and its append-only history (who,
// when, on whose behalf, why). A State acts as the party it is; an operator acts for one of the
// two States only by naming it and saying why, as the service requires. The steps offered mirror
// the service's table; the service stays the judge (an illegal step is FAILED_PRECONDITION).
import { call } from '../api.js';
import { h } from '../dom.js';
import { t, num, dateTime, topicName, currentLang } from '../i18n.js';
import { screen, success, badge, enumText, simpleTable, actionButton, askDialog, loading, namesNotice, staleOr, matchTone } from '../ui.js';
import { matchWhy } from '../grounds.js';

const OPERATOR = 'ROLE_OPERATOR';
const FINAL = new Set(['COMPLETED', 'DECLINED', 'CANCELLED', 'SUPERSEDED']);
// After ACCEPTED, what each party may make of the match (services/matching/rules.c match_steps).
const STEPS = {
  ACCEPTED: [['IN_DELIVERY', ['DONOR']], ['CANCELLED', ['DONOR', 'RECIPIENT']]],
  IN_DELIVERY: [['DELIVERED', ['DONOR']], ['CANCELLED', ['DONOR', 'RECIPIENT']]],
  DELIVERED: [['COMPLETED', ['RECIPIENT']]],
};

// "1 jour d'expert", "2 jours d'expert", "5 человеко-дней экспертов": the number with its unit in
// the form the number asks for in the language (Intl.PluralRules: Arabic has six forms, Russian
// four); a kind this portal does not know, the number alone.
const KINDS = new Set(['EXPERTISE', 'FUNDS', 'EQUIPMENT', 'TRAINING']);

export function unit(kind, n) {
  if (!KINDS.has(kind)) return num(n);
  const form = new Intl.PluralRules(currentLang()).select(Number(n) || 0);
  return t('qty.' + kind + '.' + form, { n: num(n) });
}

// A match's figures are withheld (0) from a donor when the recipient's assessment behind them is
// private (docs/matching-model.md): say so rather than show a zero.
export function hidden(m) {
  return !Number(m.quantity);
}

export function matchQuantity(m, n = m.quantity) {
  return hidden(m) ? h('span', { class: 'muted' }, t('match.hidden')) : unit(m.kind, n);
}

export async function render(main, ctx) {
  const id = ctx.args[0];
  const status = h('div', { 'aria-live': 'polite' });
  const body = h('div', null, loading());
  let m = await call('matching', 'GetMatch', { matchId: id });
  screen(main, t('match.title', { kind: enumText('kind', m.kind), topic: topicName(m.topic) }), namesNotice(),
    h('p', null, h('a', { href: ctx.who.role === OPERATOR ? '#/matches' : '#/capacity' }, t('match.back'))));
  main.append(status, body);
  const reload = async () => {
    m = await call('matching', 'GetMatch', { matchId: id });
    await draw();
  };
  // A step through the dialog that asks for its words; then the match is read again, with its
  // history. A stale etag reloads the match and says so.
  const take = async (step, party) => {
    status.replaceChildren();
    const words = await askDialog(t('match.dlg.' + step, { state: stateOf(m, party) }), intro(m, step), fieldsOf(m, step, party, ctx.who),
      t('match.go.' + step));
    if (!words) return;
    status.replaceChildren();
    const onBehalf = ctx.who.role === OPERATOR ? { onBehalfOf: stateOf(m, party), onBehalfReason: words.behalf } : {};
    try {
      if (step === 'ACCEPT' || step === 'DECLINE') {
        await call('matching', 'RespondToMatch', {
          matchId: m.id, etag: m.etag, accept: step === 'ACCEPT', reason: words.reason || '', note: words.note || '',
          requestId: crypto.randomUUID(), ...onBehalf,
        });
      } else {
        await call('matching', 'AdvanceMatch', {
          matchId: m.id, etag: m.etag, status: step, note: words.note || '', reason: words.reason || '',
          deliveredQuantity: step === 'DELIVERED' && words.delivered ? String(Number(words.delivered)) : '0', // 0: all
          rating: step === 'COMPLETED' ? Number(words.rating) : 0, feedback: words.feedback || '',
          requestId: crypto.randomUUID(), ...onBehalf,
        });
      }
      await reload();
      status.replaceChildren(success(t('match.done', { status: enumText('match', m.status) })));
    } catch (err) {
      await staleOr(err, status, reload);
    }
  };
  async function draw() {
    body.replaceChildren(summary(m, await offerIfReturned(m)), nextSteps(m, ctx.who, take), historyTable(m));
  }
  await draw();
}

// What went back to the offer: a quantity, -1 for "all of it" when the figures are withheld, or 0.
function returned(m) {
  if (m.status === 'CANCELLED' || m.status === 'DECLINED') return hidden(m) ? -1 : Number(m.quantity);
  if (m.status === 'DELIVERED' || m.status === 'COMPLETED') return Number(m.quantity) - Number(m.deliveredQuantity || 0);
  return 0;
}

// The offer, when some of the match went back to it: the page says what it holds now.
function offerIfReturned(m) {
  return returned(m) !== 0 ? call('matching', 'GetOffer', { offerId: m.offerId }) : Promise.resolve(null);
}

function stateOf(m, party) {
  return party === 'DONOR' ? m.donorState : m.recipientState;
}

// The parties the caller may act as: a State, the side it is on; an operator, both (for them).
function partiesOf(m, who) {
  if (who.role === OPERATOR) return ['DONOR', 'RECIPIENT'];
  const code = who.state && who.state.code;
  return [code === m.donorState ? 'DONOR' : null, code === m.recipientState ? 'RECIPIENT' : null].filter(Boolean);
}

function intro(m, step) {
  if ((step === 'CANCELLED' || step === 'DELIVERED') && hidden(m)) return t('match.intro.' + step + '.hidden');
  if (step === 'CANCELLED') return t('match.intro.CANCELLED', { q: unit(m.kind, m.quantity) });
  if (step === 'DELIVERED') return t('match.intro.DELIVERED', { q: unit(m.kind, m.quantity) });
  return t('match.intro.' + step);
}

function fieldsOf(m, step, party, who) {
  const f = [];
  if (step === 'DECLINE') f.push({ name: 'reason', label: t('cap.decline.reason'), hint: t('cap.decline.reason.hint'), required: true });
  if (step === 'CANCELLED') f.push({ name: 'reason', label: t('match.reason.cancel'), required: true });
  if (step === 'DELIVERED' && hidden(m)) {
    f.push({ name: 'delivered', kind: 'number', min: 1, label: t('match.delivered.label', { unit: t('unit.' + m.kind) }),
      hint: t('match.delivered.all') });
  } else if (step === 'DELIVERED') {
    f.push({ name: 'delivered', kind: 'number', min: 1, max: Number(m.quantity), value: Number(m.quantity), required: true,
      label: t('match.delivered.label', { unit: t('unit.' + m.kind) }), hint: t('match.delivered.hint', { max: num(m.quantity) }) });
  }
  if (step === 'COMPLETED') {
    f.push({ name: 'rating', kind: 'choice', required: true, label: t('match.rating'), hint: t('match.rating.hint'),
      options: [1, 2, 3, 4, 5].map((n) => [String(n), num(n)]) });
    f.push({ name: 'feedback', label: t('match.feedback') });
  }
  f.push({ name: 'note', label: t('match.note') });
  if (who.role === OPERATOR) {
    f.push({ name: 'behalf', required: true, label: t('match.behalf', { state: stateOf(m, party) }), hint: t('match.behalf.hint') });
  }
  return f;
}

function summary(m, offer) {
  const rows = [
    [t('col.donor'), m.donorState], [t('col.recipient'), m.recipientState], [t('col.kind'), enumText('kind', m.kind)],
    [t('col.topic'), topicName(m.topic)], [t('col.quantity'), matchQuantity(m)],
    [t('col.status'), badge(matchTone(m.status), enumText('match', m.status))],
    [t('col.explanation'), matchWhy(m)],
  ];
  if (m.status === 'DELIVERED' || m.status === 'COMPLETED') rows.push([t('match.delivered.col'), matchQuantity(m, m.deliveredQuantity)]);
  const back = returned(m);
  if (back !== 0) {
    rows.push([t('match.returned'), h('span', { 'data-returned': back > 0 ? back : 'all' }, back > 0 ? unit(m.kind, back) : t('match.returned.all'),
      offer ? ' ' + t('match.offernow', { left: num(offer.remaining), cap: unit(m.kind, offer.capacity) }) : '')]);
  }
  if (m.status === 'COMPLETED') {
    rows.push([t('match.rating'), t('match.rated', { n: num(m.rating) })]);
    if (m.feedback) rows.push([t('match.feedback'), h('span', { dir: 'auto', class: 'pre' }, m.feedback)]);
  }
  return h('section', { class: 'card' }, h('h2', null, t('match.what')),
    h('dl', { class: 'answer match-facts' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
}

// The buttons for the steps the caller may take now; a note when it is the other party's turn.
function nextSteps(m, who, take) {
  const box = h('section', { class: 'card next-steps', 'aria-labelledby': 'next-h' }, h('h2', { id: 'next-h' }, t('match.next')));
  if (FINAL.has(m.status) || m.status === 'PROPOSED') {
    box.append(h('p', null, t('match.final', { status: enumText('match', m.status) })));
    return box;
  }
  const mine = partiesOf(m, who);
  const operator = who.role === OPERATOR;
  const label = (step, party) => (operator ? t('match.forstate', { action: t('match.step.' + step), state: stateOf(m, party) }) : t('match.step.' + step));
  const buttons = [];
  if (m.status === 'OFFERED') {
    for (const party of mine) {
      if (party === 'DONOR' ? m.donorAccepted : m.recipientAccepted) continue;
      buttons.push(actionButton(label('ACCEPT', party), () => take('ACCEPT', party), 'primary', 'step-ACCEPT'));
      buttons.push(actionButton(label('DECLINE', party), () => take('DECLINE', party), null, 'step-DECLINE'));
    }
  } else {
    for (const [step, parties] of STEPS[m.status] || []) {
      for (const party of parties.filter((p) => mine.includes(p))) {
        buttons.push(actionButton(label(step, party), () => take(step, party), step === 'CANCELLED' ? null : 'primary', 'step-' + step));
      }
    }
  }
  if (buttons.length) box.append(h('p', { class: 'actions' }, buttons));
  else box.append(h('p', null, t('match.waiting')));
  return box;
}

function historyTable(m) {
  const events = m.history || [];
  const box = h('section', { class: 'card', 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, t('match.history')));
  if (!events.length) {
    box.append(h('p', null, t('match.nohistory')));
    return box;
  }
  box.append(simpleTable(t('match.history'), [t('col.when'), t('match.h.step'), t('match.h.party'), t('col.author'),
    t('match.h.behalf'), t('col.reason'), t('col.note'), t('match.delivered.col')], events.map((e) => [
    dateTime(e.at),
    e.fromStatus === e.toStatus ? t('match.h.first', { status: enumText('match', e.toStatus) })
      : enumText('match', e.fromStatus) + ' → ' + enumText('match', e.toStatus),
    e.party ? t('match.party.' + e.party) : '',
    h('code', { class: 'id', dir: 'ltr' }, e.actor || ''),
    e.onBehalfOf ? [e.onBehalfOf, ': ', h('span', { dir: 'auto' }, e.onBehalfReason || '')] : '',
    h('span', { dir: 'auto' }, e.reason || ''), h('span', { dir: 'auto' }, e.note || ''),
    Number(e.deliveredQuantity) ? unit(m.kind, e.deliveredQuantity) : '']), true));
  return box;
}
