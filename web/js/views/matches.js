// matches.js: for UNIC operators, every match of the committed plans, filtered by status, each
// opening its own page (views/match.js) where an operator can act for a State that asks it to.
import { listAll } from '../api.js';
import { h, field } from '../dom.js';
import { t, topicName } from '../i18n.js';
import { screen, badge, enumText, simpleTable, namesNotice, matchTone } from '../ui.js';
import { matchQuantity } from './match.js';

const STATUSES = ['OFFERED', 'ACCEPTED', 'IN_DELIVERY', 'DELIVERED', 'COMPLETED', 'DECLINED', 'CANCELLED'];

export async function render(main) {
  screen(main, t('matches.title'), h('p', null, t('matches.intro')), namesNotice());
  const filter = h('select', null, h('option', { value: '' }, t('matches.all')),
    STATUSES.map((s) => h('option', { value: s }, enumText('match', s))));
  const out = h('div');
  main.append(h('div', { class: 'filters' }, field(t('col.status'), filter)), out);
  const draw = async () => {
    const matches = await listAll('matching', 'ListMatches', filter.value ? { status: filter.value } : {}, 'matches');
    out.replaceChildren(matches.length ? matchList(matches) : h('p', null, t('cap.nomatches')));
  };
  filter.addEventListener('change', draw);
  await draw();
}

// The table of matches, each with the link to its page.
export function matchList(matches) {
  return simpleTable(t('matches.title'), [t('col.donor'), t('col.recipient'), t('col.kind'), t('col.topic'), t('col.quantity'),
    t('col.status'), t('col.actions')], matches.map((m) => [m.donorState, m.recipientState, enumText('kind', m.kind), topicName(m.topic),
    matchQuantity(m), badge(matchTone(m.status), enumText('match', m.status)),
    h('a', { href: '#/match/' + encodeURIComponent(m.id), 'data-open-match': m.id,
      'aria-label': t('match.open.named', { topic: topicName(m.topic), a: m.donorState, b: m.recipientState }) }, t('match.open'))]), true);
}
