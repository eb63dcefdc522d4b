// capacity.js: a State's capacity-building: requests derived from its scorecard's gaps (README
// "Matching model"), its requests, and the matches offered to it, with the reason for each, to
// accept or decline.
import { call, listAll } from '../api.js';
import { h, field } from '../dom.js';
import { t, num, topicName } from '../i18n.js';
import { matchQuantity, unit } from './match.js';
import { matchWhy } from '../grounds.js';
import { screen, errorBox, success, badge, enumText, simpleTable, actionButton, loading, namesNotice, askDialog, staleOr, matchTone } from '../ui.js';

export async function render(main, ctx) {
  const code = ctx.who.state.code;
  screen(main, t('cap.title'), namesNotice());
  const status = h('div', { 'aria-live': 'polite' });
  const body = h('div', null, loading());
  main.append(deriveForm(code, status, () => draw()), status, body);
  async function draw() {
    const [requests, matches] = await Promise.all([
      listAll('matching', 'ListRequests', { stateCode: code }, 'requests'),
      listAll('matching', 'ListMatches', { stateCode: code }, 'matches'),
    ]);
    body.replaceChildren(
      h('section', { class: 'card' }, h('h2', null, t('cap.matches')),
        matchesTable(matches.filter((m) => m.recipientState === code), 'recipient', status, draw)),
      h('section', { class: 'card' }, h('h2', null, t('cap.requests')), requests.length
        ? simpleTable(t('cap.requests'), [t('col.kind'), t('col.topic'), t('col.quantity'), t('col.remaining'), t('col.priority'),
          t('col.source'), t('col.status')], requests.map((r) => [enumText('kind', r.kind), topicName(r.topic),
          unit(r.kind, r.quantity), num(r.remaining), num(r.priority || 0),
          r.sourceQuestionId ? t('cap.fromgap', { q: r.sourceQuestionId, cycle: r.sourceCycle || '', sev: num(r.gapSeverity, 2) }) : '—',
          enumText('request', r.status)]), true)
        : h('p', null, t('cap.norequests'))));
  }
  await draw();
}

function deriveForm(code, status, redraw) {
  const cycle = h('input', { type: 'number', min: 2000, max: 2100, value: new Date().getUTCFullYear(), required: true });
  // No kind is ticked for the State: it says which support it asks for (issue 15: no default of
  // all four); with none, the service's answer names the four.
  const kinds = ['EXPERTISE', 'FUNDS', 'EQUIPMENT', 'TRAINING'].map((k) => {
    const input = h('input', { type: 'checkbox', value: k, id: 'kind-' + k });
    return [input, h('div', { class: 'check' }, input, h('label', { for: 'kind-' + k }, enumText('kind', k)))];
  });
  const form = h('form', { class: 'card', 'aria-labelledby': 'derive-h' },
    h('h2', { id: 'derive-h' }, t('cap.derive')), h('p', null, t('cap.derive.text')),
    h('div', { class: 'row' }, field(t('col.cycle'), cycle),
      h('fieldset', { class: 'checks' }, h('legend', null, t('col.kind')), kinds.map((k) => k[1]))),
    h('button', { type: 'submit', class: 'primary', 'data-action': 'derive' }, t('cap.derive.go')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    try {
      const r = await call('matching', 'DeriveRequests', {
        stateCode: code, cycle: Number(cycle.value), kinds: kinds.filter((k) => k[0].checked).map((k) => k[0].value),
      });
      status.append(success(t('cap.derived', { created: num(r.created || 0), total: num((r.requests || []).length) })));
      await redraw();
    } catch (err) {
      status.append(errorBox(err));
    }
  });
  return form;
}

// Matches this State is a party to, as `side` ("recipient" or "donor"); OFFERED ones it has
// not yet accepted can be accepted or declined here; each opens its page, where its life goes on
// (views/match.js).
export function matchesTable(matches, side, status, redraw) {
  if (!matches.length) return h('p', null, t('cap.nomatches'));
  const mine = (m) => (side === 'donor' ? m.donorAccepted : m.recipientAccepted);
  return simpleTable(t('cap.matches'), [side === 'donor' ? t('col.recipient') : t('col.donor'), t('col.kind'), t('col.topic'),
    t('col.quantity'), t('col.explanation'), t('col.status'), t('col.actions')], matches.map((m) => [
    side === 'donor' ? m.recipientState : m.donorState, enumText('kind', m.kind), topicName(m.topic), matchQuantity(m),
    matchWhy(m),
    [badge(matchTone(m.status), enumText('match', m.status)),
      m.status === 'OFFERED' && mine(m) ? h('p', { class: 'muted' }, t('cap.waiting')) : null],
    h('span', { class: 'actions', 'data-match': m.id },
      m.status === 'OFFERED' && !mine(m) ? [
        actionButton(t('cap.accept'), () => respond(m, true, status, redraw), 'primary', 'accept'),
        actionButton(t('cap.decline'), () => respond(m, false, status, redraw), null, 'decline')] : null,
      h('a', { href: '#/match/' + encodeURIComponent(m.id), 'data-open-match': m.id,
        'aria-label': t('match.open.named', { topic: topicName(m.topic), a: m.donorState, b: m.recipientState }) }, t('match.open'))),
  ]), true);
}

// Accepting or declining, with the etag the list was read at: when the match changed since
// (the other party or an operator answered first) the service says ABORTED, and the list is read
// again so the user decides on what is true now. A decline asks for its reason first.
async function respond(m, accept, status, redraw) {
  status.replaceChildren();
  const body = { matchId: m.id, accept, etag: m.etag, requestId: crypto.randomUUID() };
  if (!accept) {
    const words = await askDialog(t('cap.decline.title'), t('cap.decline.intro'), [
      { name: 'reason', label: t('cap.decline.reason'), hint: t('cap.decline.reason.hint'), required: true },
      { name: 'note', label: t('match.note') },
    ], t('cap.decline.go'));
    if (!words) return;
    body.reason = words.reason;
    if (words.note) body.note = words.note;
  }
  try {
    await call('matching', 'RespondToMatch', body);
    status.append(success(accept ? t('cap.accepted') : t('cap.declined')));
    await redraw();
  } catch (err) {
    await staleOr(err, status, redraw);
  }
}
