// scorecard.js: the maturity index (model cmm-v1, README "Scoring model"), the stage of each of
// the seven sections, a radar chart of this cycle against the previous one, the gaps by
// severity with the question text, and the index across cycles.
import { call } from '../api.js';
import { h } from '../dom.js';
import { t, num, pct, dateTime, currentLang } from '../i18n.js';
import { screen, badge, enumText, simpleTable, documentButton } from '../ui.js';
import { radar, trend } from '../charts.js';
import { contentAttrs, fallbackNotice } from './questionnaire.js';

export async function render(main, ctx) {
  const id = ctx.args[0];
  const sc = await call('scoring', 'GetScorecard', { assessmentId: id });
  const [q, tr] = await Promise.all([
    call('catalog', 'GetQuestionnaire', {
      questionnaireId: sc.questionnaireId || 'cip-self-assessment', version: sc.questionnaireVersion || 0, locale: currentLang(),
    }),
    call('scoring', 'GetTrend', { stateCode: sc.stateCode, questionnaireId: sc.questionnaireId || 'cip-self-assessment' }),
  ]);
  const questions = Object.fromEntries((q.sections || []).flatMap((s) => s.questions || []).map((x) => [x.id, x]));
  const titles = Object.fromEntries((q.sections || []).map((s) => [s.id, s.title]));
  const levelName = (lv) => {
    const any = Object.values(questions).find((x) => (x.levels || []).length);
    const l = any && any.levels.find((d) => (d.level || 0) === lv);
    return l ? l.name : String(lv);
  };
  const ca = contentAttrs(q);
  const own = ctx.who.state && ctx.who.state.code === sc.stateCode;
  screen(main, t('sc.title', { state: own ? ctx.who.state.name : sc.stateCode, cycle: sc.cycle }),
    h('p', null, badge(sc.status === 'SUBMITTED' ? 'good' : 'warn', enumText('status', sc.status)), ' ',
      t('sc.meta', { model: sc.modelVersion || '', rev: sc.revision || 0, when: dateTime(sc.computedAt) })),
    fallbackNotice(q));
  const docStatus = h('div', { 'aria-live': 'polite' });
  main.append(h('p', null, documentButton(t('common.pdf'), () => call('scoring', 'RenderScorecard', {
    assessmentId: sc.assessmentId || id, locale: currentLang(),
  }, { timeoutMs: 60000 }), docStatus)), docStatus);

  const sections = sc.sections || [];
  main.append(h('section', { class: 'card headline', 'aria-labelledby': 'idx-h' },
    h('h2', { id: 'idx-h' }, t('sc.index')),
    h('p', { class: 'big' }, num(sc.overallIndex, 2), h('span', { class: 'muted' }, ' / ' + num(100))),
    h('p', null, t('sc.stage', { stage: sc.overallStage || 0 }), ' ', h('span', ca, levelName(sc.overallStage || 0))),
    h('p', null, t('sc.completeness', { share: pct(sc.completeness) }))));

  // The previous cycle in the trend, if there is one, drawn dashed beneath this one.
  const points = (tr.points || []).filter((p) => (p.cycle || 0) <= sc.cycle);
  const prev = points.filter((p) => (p.cycle || 0) < sc.cycle).pop();
  const prevScores = prev ? Object.fromEntries((prev.sections || []).map((s) => [s.sectionId, s.score || 0])) : null;
  const series = [];
  if (prevScores) series.push({ name: String(prev.cycle), values: sections.map((s) => prevScores[s.sectionId] || 0), cls: 'series-prev' });
  series.push({ name: String(sc.cycle), values: sections.map((s) => s.score || 0), cls: 'series-now' });
  const desc = sections.map((s, i) => (i + 1) + ': ' + num(s.score, 2)).join('; ');
  const legend = h('ul', { class: 'legend' },
    h('li', null, h('span', { class: 'key key-now', 'aria-hidden': 'true' }), t('sc.thiscycle', { cycle: sc.cycle })),
    prev ? h('li', null, h('span', { class: 'key key-prev', 'aria-hidden': 'true' }), t('sc.lastcycle', { cycle: prev.cycle })) : h('li', null, t('sc.nolast')));
  main.append(h('section', { class: 'card', 'aria-labelledby': 'radar-h' },
    h('h2', { id: 'radar-h' }, t('sc.radar')),
    h('div', { class: 'chart-row' },
      radar(sections.map((_, i) => num(i + 1)), series, t('sc.radar'), desc),
      h('div', null, legend, simpleTable(t('sc.sections'),
        [t('col.section'), t('col.score'), prev ? t('sc.lastcycle', { cycle: prev.cycle }) : null, t('col.stage'), t('col.answered')].filter(Boolean),
        sections.map((s, i) => [
          h('span', ca, num(i + 1) + '. ' + (titles[s.sectionId] || s.title)),
          num(s.score, 2),
          prev ? num(prevScores[s.sectionId] || 0, 2) : null,
          h('span', ca, num(s.stage || 0) + ' · ' + levelName(s.stage || 0)),
          t('q.answered', { n: s.answered || 0, total: s.total || 0 }),
        ].filter((c) => c !== null)))))));

  const gaps = sc.gaps || [];
  main.append(h('section', { class: 'card', 'aria-labelledby': 'gaps-h' },
    h('h2', { id: 'gaps-h' }, t('sc.gaps')),
    gaps.length ? simpleTable(t('sc.gaps.caption'), [t('col.severity'), t('col.question'), t('col.level'), t('col.target'), t('col.topics')],
      gaps.map((g) => [
        h('strong', null, num(g.severity, 2)),
        h('span', ca, (g.questionNumber || '') + '. ' + (questions[g.questionId] ? questions[g.questionId].text : g.questionId)),
        num(g.level || 0), num(g.target || 0), (g.topics || []).join(', '),
      ])) : h('p', null, t('sc.nogaps')),
    (sc.assessmentNeeded || []).length ? h('p', null, t('sc.needed', {
      list: sc.assessmentNeeded.map((qid) => (questions[qid] ? questions[qid].number : qid)).join(', '),
    })) : null,
    h('p', null, h('a', { href: '#/capacity' }, t('sc.tocapacity')))));

  main.append(h('section', { class: 'card', 'aria-labelledby': 'trend-h' },
    h('h2', { id: 'trend-h' }, t('sc.trend')),
    points.length ? trend(points.map((p) => ({ label: String(p.cycle), value: p.overallIndex || 0, marker: p.versionChanged })),
      t('sc.trend'), points.map((p) => p.cycle + ': ' + num(p.overallIndex, 2)).join('; ')) : h('p', null, t('sc.notrend')),
    points.some((p) => p.versionChanged) ? h('p', { class: 'hint' }, t('sc.versionchanged')) : null));
}
