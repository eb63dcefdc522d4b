// dashboard.js: a State's assessments by cycle and questionnaire, and what is due when, in its
// own time zone (Resolution #1 para 8: the annual report, a submitted self-assessment, by 31
// December; the other duties, reachability rounds and matches awaiting an answer).
import { call, listAll } from '../api.js';
import { h, field } from '../dom.js';
import { t, pct, date, dateTime, num, coded, topicName } from '../i18n.js';
import { unit } from './match.js';
import { screen, errorBox, badge, enumText, sortableTable, simpleTable, loading } from '../ui.js';
import { go } from '../app.js';

const SELF = 'cip-self-assessment';

export async function render(main, ctx) {
  const st = ctx.who.state;
  screen(main, t('dash.title', { state: st.name }),
    h('p', { class: 'lead' }, st.ldc ? t('dash.ldc') : null));
  const box = h('div', null, loading());
  main.append(box);
  const [assessments, qs, due] = await Promise.all([
    listAll('responses', 'ListAssessments', { stateCode: st.code }, 'assessments'),
    listAll('catalog', 'ListQuestionnaires', {}, 'questionnaires'),
    call('scoring', 'ListDue', {}),
  ]);
  const titles = Object.fromEntries(qs.map((q) => [q.id, q.title]));
  box.replaceChildren(dueCard(assessments, due), listCard(assessments, titles), createCard(st.code, qs));
}

// What is due (ScoringService.ListDue, docs/calendar.md): every date and count of days is the
// server's, in the State's own time zone, which the panel names; the annual report's status comes
// from the State's self-assessment of the year.
function dueCard(assessments, due) {
  const today = due.today || new Date().toISOString().slice(0, 10);
  const year = Number(today.slice(0, 4));
  const deadline = year + '-12-31';
  const report = (due.items || []).find((i) => i.kind === 'ANNUAL_REPORT' && i.dueDate === deadline);
  const mine = assessments.find((a) => a.questionnaireId === SELF && a.cycle === year);
  let state;
  if (!mine) state = badge('bad', t('dash.due.none'));
  else if (mine.status === 'SUBMITTED') state = badge('good', t('dash.due.submitted', { when: date(mine.submittedAt) }));
  else state = badge('warn', t('dash.due.draft', { share: pct(mine.completeness) }));
  const items = due.items || [];
  return h('section', { class: 'card due', 'aria-labelledby': 'due-h' },
    h('h2', { id: 'due-h' }, t('dash.due.title')),
    h('p', null, t('dash.due.text', { year, deadline: date(deadline) })),
    h('p', null, state, ' ', report && !(mine && mine.status === 'SUBMITTED') ? daysLeft(report) : null),
    h('p', { class: 'due-zone' }, t('due.zone', { zone: due.timeZone || '', today: date(today) }), ' ',
      h('a', { href: '#/settings' }, t('due.change'))),
    items.length ? simpleTable(t('due.list'), [t('due.what'), t('col.deadline'), t('due.left'), t('col.actions')], items.map((i) => [
      [t('due.kind.' + (i.kind || 'DUE_KIND_UNSPECIFIED')), ' ', dueDetail(i)],
      i.dueDate ? date(i.dueDate) : t('due.nodate'), daysLeft(i), dueLink(i)]), false)
      : h('p', null, t('due.nothing')),
    h('p', null, h('a', { href: '#/compliance' }, t('dash.compliance'))));
}

// What the kind's own words leave out: the year of an annual report; nothing for a reachability
// round; the paragraph of a duty; the match offered (its kind, topic, quantity and States), said
// from the title's code and arguments; the server's English title for a code this portal lacks.
function dueDetail(item) {
  const year = /(\d{4})$/.exec(item.ref || '');
  if (item.kind === 'ANNUAL_REPORT' && year) return h('span', { class: 'muted' }, year[1]);
  if (item.kind === 'REACHABILITY_CONFIRMATION') return null;
  const a = item.titleArgs || [];
  const args = item.titleCode === 'match-answer'
    ? [enumText('kind', a[0]), topicName(a[1]), Number(a[2]) ? unit(a[0], a[2]) : t('match.hidden'), a[3], a[4]] : a;
  const said = coded('due.title.', item.titleCode, args);
  if (said !== null) return h('span', { class: 'muted', 'data-title': item.titleCode }, said);
  return h('span', { class: 'muted', lang: 'en', dir: 'ltr' }, item.title || item.ref || '');
}

function daysLeft(item) {
  if (!item.dueDate) return '—';
  const n = Number(item.daysLeft || 0);
  if (item.overdue) return h('span', { 'data-days': n }, badge('bad', t('due.overdue', { n: num(-n) })));
  return h('span', { 'data-days': n }, badge(n <= 30 ? 'warn' : 'info', t('dash.due.days', { days: num(n) })));
}

function dueLink(item) {
  switch (item.kind) {
    case 'MATCH_ANSWER': return h('a', { href: '#/match/' + encodeURIComponent(item.ref) }, t('due.answer'));
    case 'REACHABILITY_CONFIRMATION': return h('a', { href: '#/directory' }, t('due.confirm'));
    case 'COMPLIANCE_DUTY': return h('a', { href: '#/compliance' }, t('due.see'));
    default: return '';
  }
}

function listCard(assessments, titles) {
  if (!assessments.length) {
    return h('section', { class: 'card' }, h('h2', null, t('dash.list')), h('p', null, t('dash.empty')));
  }
  const cols = [
    { key: 'cycle', label: t('col.cycle'), numeric: true, header: true, value: (a) => a.cycle || 0, cell: (a) => String(a.cycle) },
    { key: 'q', label: t('col.questionnaire'), value: (a) => titles[a.questionnaireId] || a.questionnaireId,
      cell: (a) => [titles[a.questionnaireId] || a.questionnaireId, ' ', h('span', { class: 'muted' }, t('dash.version', { v: a.questionnaireVersion }))] },
    { key: 'status', label: t('col.status'), value: (a) => a.status,
      cell: (a) => badge(a.status === 'SUBMITTED' ? 'good' : 'info', enumText('status', a.status)) },
    { key: 'completeness', label: t('col.completeness'), numeric: true, value: (a) => a.completeness || 0,
      cell: (a) => [h('meter', { min: 0, max: 1, value: a.completeness || 0, 'aria-hidden': 'true' }), ' ', pct(a.completeness)] },
    { key: 'visibility', label: t('col.visibility'), value: (a) => a.visibility, cell: (a) => enumText('visibility', a.visibility) },
    { key: 'updated', label: t('col.updated'), value: (a) => a.updatedAt || '', cell: (a) => dateTime(a.updatedAt) },
    { key: 'open', label: t('col.actions'), cell: (a) => h('span', { class: 'actions' },
      h('a', { href: '#/assessment/' + a.id }, a.status === 'SUBMITTED' ? t('dash.view') : t('dash.edit')),
      h('a', { href: '#/history/' + a.id }, t('dash.history')),
      h('a', { href: '#/files/' + a.id }, t('files.link')),
      a.questionnaireId === SELF ? h('a', { href: '#/scorecard/' + a.id }, t('dash.scorecard')) : null) },
  ];
  const sorted = [...assessments].sort((a, b) => (b.cycle - a.cycle) || a.questionnaireId.localeCompare(b.questionnaireId));
  return h('section', { class: 'card' }, sortableTable(t('dash.list'), cols, sorted).table);
}

function createCard(code, qs) {
  const year = new Date().getUTCFullYear();
  const cycle = h('input', { type: 'number', min: 2000, max: 2100, value: year, required: true });
  const qsel = h('select', { required: true }, qs.map((q) => h('option', { value: q.id }, q.title)));
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card inline-form', 'aria-labelledby': 'new-h' },
    h('h2', { id: 'new-h' }, t('dash.new')),
    h('div', { class: 'row' }, field(t('col.cycle'), cycle), field(t('col.questionnaire'), qsel)),
    h('button', { type: 'submit', class: 'primary', 'data-action': 'create-assessment' }, t('dash.create')), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    try {
      const a = await call('responses', 'CreateAssessment', {
        stateCode: code, cycle: Number(cycle.value), questionnaireId: qsel.value,
        requestId: crypto.randomUUID ? crypto.randomUUID() : String(Date.now()),
      });
      go('assessment', a.id);
    } catch (err) {
      status.append(errorBox(err));
    }
  });
  return form;
}
