// impact.js: whether capacity building worked (GetImpactReport, docs/matching-model.md
// "Impact"): each completed match with the recipient's level on the question it addressed before
// and after, and summaries by donor, kind, topic and region beside the change of questions that
// had no support. A suppressed cell (fewer than 3 States) shows the word, never a zero. An
// operator reads every State's report or one State's; a State its own.
import { call } from '../api.js';
import { h, field } from '../dom.js';
import { t, num, date, currentLang, coded, topicName, regionName } from '../i18n.js';
import { screen, errorBox, badge, enumText, simpleTable, namesNotice, loading } from '../ui.js';
import { unit } from './match.js';

const DIMENSIONS = ['donor', 'kind', 'topic', 'region'];

function signed(x, digits) {
  return new Intl.NumberFormat(currentLang(), {
    signDisplay: 'exceptZero', minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(Number(x) || 0);
}

export async function render(main, ctx) {
  const operator = ctx.who.role === 'ROLE_OPERATOR';
  screen(main, t('imp.title'), h('p', null, t('imp.intro')), namesNotice());
  const out = h('div', null, loading());
  const status = h('div', { 'aria-live': 'polite' });
  const draw = async (code) => {
    status.replaceChildren();
    try {
      const r = await call('matching', 'GetImpactReport', { stateCode: code }, { timeoutMs: 60000 });
      out.replaceChildren(casesTable(r.cases || []), ...DIMENSIONS.map((d) => cellsTable(d, (r.cells || []).filter((c) => c.dimension === d))));
    } catch (err) {
      out.replaceChildren();
      status.append(errorBox(err));
    }
  };
  if (operator) {
    const state = h('input', { type: 'text', dir: 'ltr', maxlength: 3, autocapitalize: 'characters', placeholder: 'NER' });
    const form = h('form', { class: 'filters' }, h('div', { class: 'row' }, field(t('imp.state'), state, t('imp.state.hint')),
      h('button', { type: 'submit', class: 'primary', 'data-action': 'impact-show' }, t('grp.show'))));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      draw(state.value.trim().toUpperCase());
    });
    main.append(form);
  }
  main.append(status, out);
  await draw(operator ? '' : ctx.who.state.code);
}

function level(cycle, lvl) {
  return t('imp.level', { level: num(lvl), cycle: String(cycle) });
}

function casesTable(cases) {
  const box = h('section', { class: 'card', 'aria-labelledby': 'imp-cases-h' }, h('h2', { id: 'imp-cases-h' }, t('imp.cases')));
  if (!cases.length) {
    box.append(h('p', null, t('imp.nocases')));
    return box;
  }
  box.append(simpleTable(t('imp.cases'), [t('col.donor'), t('col.recipient'), t('col.kind'), t('col.topic'), t('col.region'),
    t('col.question'), t('match.delivered.col'), t('imp.completed'), t('imp.before'), t('imp.after'), t('imp.change')],
  cases.map((c) => [c.donorState, c.recipientState, enumText('kind', c.kind), topicName(c.topic), regionName(c.region), c.questionId || '—',
    Number(c.deliveredQuantity) ? unit(c.kind, c.deliveredQuantity) : '—', date(c.completedAt),
    c.measured ? level(c.cycleBefore, c.levelBefore) : '—',
    c.measured ? level(c.cycleAfter, c.levelAfter) : '—',
    c.measured ? h('span', { 'data-change': c.change || 0 }, signed(c.change, 0))
      : [badge('none', t('imp.notmeasured')), ' ', whyNot(c)]]), true));
  return box;
}

// Why a case is not measured, in the reader's language from its code (the server's English for
// a code newer than this portal).
function whyNot(c) {
  const said = coded('imp.why.', c.notMeasuredCode, c.notMeasuredArgs);
  return said !== null ? h('span', { 'data-why': c.notMeasuredCode }, said) : h('span', { lang: 'en', dir: 'ltr' }, c.notMeasured || '');
}

// One table per dimension; a suppressed row says so in every figure's place.
function cellsTable(dimension, cells) {
  const caption = t('imp.by.' + dimension);
  const box = h('section', { class: 'card', 'data-dimension': dimension }, h('h2', null, caption));
  if (!cells.length) {
    box.append(h('p', null, t('imp.nocells')));
    return box;
  }
  const sup = () => h('span', { class: 'suppressed' }, t('imp.suppressed'));
  box.append(simpleTable(caption, [t('imp.key'), t('imp.states'), t('imp.matches'), t('imp.delivered'), t('imp.mean'), t('imp.comparison')],
    cells.map((c) => {
      const key = dimension === 'kind' ? enumText('kind', c.key) : dimension === 'topic' ? topicName(c.key)
        : dimension === 'region' ? regionName(c.key) : c.key;
      if (c.suppressed) {
        return [h('span', { 'data-suppressed': c.key }, key), badge('none', t('imp.suppressed.why')), sup(), sup(), sup(), sup()];
      }
      return [key, num(c.states), num(c.matches), num(c.quantityDelivered),
        c.changeShown ? t('imp.meancases', { mean: signed(c.meanChange, 2), n: num(c.cases) }) : t('imp.fewcases', { n: num(c.cases || 0) }),
        c.comparisonShown ? t('imp.meancases', { mean: signed(c.comparisonMeanChange, 2), n: num(c.comparisonCases) })
          : t('imp.nocomparison', { n: num(c.comparisonCases || 0) })];
    }), true));
  return box;
}
