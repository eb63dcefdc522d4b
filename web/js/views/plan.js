// plan.js: for UNIC operators, a match plan (ProposeMatches: the optimum, each match with the
// sentence saying why, and the needs left unmet with the reason), then its commit.
import { call } from '../api.js';
import { h, field } from '../dom.js';
import { t, num, date, topicName } from '../i18n.js';
import { screen, errorBox, success, badge, enumText, simpleTable, actionButton } from '../ui.js';
import { unit } from './match.js';
import { matchWhy, unmetWhy } from '../grounds.js';

export async function render(main) {
  screen(main, t('plan.title'), h('p', null, t('plan.intro')));
  const asOf = h('input', { type: 'date', value: new Date().toISOString().slice(0, 10) });
  const scope = h('input', { type: 'text', dir: 'ltr', placeholder: 'NER, MLI', autocapitalize: 'characters' });
  const status = h('div', { 'aria-live': 'polite' });
  const out = h('div');
  const form = h('form', { class: 'card', 'aria-labelledby': 'plan-h' },
    h('h2', { id: 'plan-h' }, t('plan.propose')),
    h('div', { class: 'row' }, field(t('plan.asof'), asOf), field(t('plan.scope'), scope, t('plan.scope.hint'))),
    h('button', { type: 'submit', class: 'primary', 'data-action': 'propose' }, t('plan.go')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    out.replaceChildren();
    const codes = scope.value.split(/[\s,;]+/).map((s) => s.trim().toUpperCase()).filter(Boolean);
    try {
      const plan = await call('matching', 'ProposeMatches', { stateCodes: codes, asOf: asOf.value }, { timeoutMs: 60000 });
      out.replaceChildren(planView(plan, status));
      out.querySelector('h2').focus();
    } catch (err) {
      status.append(errorBox(err));
    }
  });
  main.append(form, status, out);
}

function planView(plan, status) {
  const matches = plan.matches || [];
  const unmet = plan.unmet || [];
  const committed = plan.status === 'PLAN_COMMITTED';
  const commit = committed ? null : actionButton(t('plan.commit'), async () => {
    status.replaceChildren();
    try {
      const p = await call('matching', 'CommitMatchPlan', { planId: plan.id });
      const view = planView(p, status);
      box.replaceWith(view);
      status.append(success(t('plan.committed', { n: num((p.matches || []).length) })));
    } catch (err) {
      status.append(errorBox(err));
    }
  }, 'primary', 'commit');
  const box = h('section', { class: 'card', 'aria-labelledby': 'pv-h' },
    h('h2', { id: 'pv-h', tabindex: '-1' }, t('plan.plan', { date: date(plan.asOf) })),
    h('p', null, badge(committed ? 'good' : 'info', enumText('plan', plan.status)), ' ',
      t('plan.summary', { n: num(matches.length), objective: num(plan.objective, 2), unmet: num(unmet.length) })),
    matches.length ? simpleTable(t('plan.matches'), [t('col.donor'), t('col.recipient'), t('col.kind'), t('col.topic'), t('col.quantity'),
      t('col.benefit'), t('col.explanation'), t('col.status')], matches.map((m) => [m.donorState, m.recipientState, enumText('kind', m.kind),
      topicName(m.topic), unit(m.kind, m.quantity), num(m.benefit, 2), matchWhy(m),
      enumText('match', m.status)])) : h('p', null, t('plan.nomatches')),
    h('h3', null, t('plan.unmet')),
    unmet.length ? simpleTable(t('plan.unmet'), [t('col.state'), t('col.request'), t('col.remaining'), t('col.reason')],
      unmet.map((u) => [u.stateCode, h('code', { class: 'id' }, u.requestId), num(u.remaining), unmetWhy(u)]), true)
      : h('p', null, t('plan.allmet')),
    commit ? h('p', null, commit) : null);
  return box;
}
