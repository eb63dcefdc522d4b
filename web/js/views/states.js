// states.js: for UNIC operators, the 193 Member States with this year's reporting status and
// their compliance with Resolution #1 at a glance: sortable, filterable, exportable as CSV.
// Assessments a State keeps PRIVATE are not readable by operators: "none visible".
// Compliance comes in one call (ListComplianceSummaries), not one per State: this is a table a
// slow connection can load.
import { call, listAll } from '../api.js';
import { h, field, download } from '../dom.js';
import { t, pct, num, regionName } from '../i18n.js';
import { screen, badge, enumText, sortableTable, loading, namesNotice } from '../ui.js';
import { TONE } from './compliance.js';

export async function render(main) {
  const year = new Date().getUTCFullYear();
  screen(main, t('st.title', { year }), namesNotice());
  const box = h('div', null, loading());
  main.append(box);
  const [states, assessments, summaries] = await Promise.all([
    call('catalog', 'ListStates', {}).then((r) => r.states || []),
    listAll('responses', 'ListAssessments', { questionnaireId: 'cip-self-assessment', cycle: year }, 'assessments'),
    call('scoring', 'ListComplianceSummaries', {}).then((r) => r.summaries || []),
  ]);
  const byState = Object.fromEntries(assessments.map((a) => [a.stateCode, a]));
  const comp = Object.fromEntries(summaries.map((c) => [c.stateCode, c]));
  const rows = states.map((s) => ({ ...s, a: byState[s.code] || null, comp: comp[s.code] || null }));
  const report = (r) => (r.a ? (r.a.status === 'SUBMITTED' ? 'SUBMITTED' : 'DRAFT') : 'NONE');

  const q = h('input', { type: 'search', dir: 'auto' });
  const regions = [...new Set(states.map((s) => s.region))].sort();
  const region = h('select', null, h('option', { value: '' }, t('st.allregions')), regions.map((r) => h('option', { value: r }, regionName(r))));
  const rep = h('select', null, h('option', { value: '' }, t('st.allreports')),
    ['SUBMITTED', 'DRAFT', 'NONE'].map((v) => h('option', { value: v }, t('st.report.' + v))));
  const ldc = h('input', { type: 'checkbox', id: 'ldc-only' });
  const count = h('p', { role: 'status', 'aria-live': 'polite' });
  const filter = (r) => {
    const needle = q.value.trim().toLowerCase();
    return (!needle || r.name.toLowerCase().includes(needle) || r.code.toLowerCase().includes(needle))
      && (!region.value || r.region === region.value) && (!rep.value || report(r) === rep.value) && (!ldc.checked || r.ldc);
  };
  const overdue = (r) => (r.comp ? r.comp.overdue || 0 : -1);
  const columns = [
    { key: 'name', label: t('col.state'), header: true, cell: (r) => [r.name, ' ', h('span', { class: 'muted' }, r.code)] },
    { key: 'region', label: t('col.region'), value: (r) => regionName(r.subRegion || r.region), cell: (r) => regionName(r.subRegion || r.region) },
    { key: 'ldc', label: t('col.ldc'), value: (r) => (r.ldc ? 1 : 0), cell: (r) => (r.ldc ? t('common.yes') : t('common.no')) },
    { key: 'report', label: t('col.report', { year }), value: report, cell: (r) => (r.a
      ? [badge(r.a.status === 'SUBMITTED' ? 'good' : 'warn', enumText('status', r.a.status)), ' ', pct(r.a.completeness), ' ',
        h('a', { href: '#/scorecard/' + r.a.id }, t('dash.scorecard'))]
      : badge('none', t('st.report.NONE'))) },
    { key: 'visibility', label: t('col.visibility'), value: (r) => (r.a ? r.a.visibility : ''), cell: (r) => (r.a ? enumText('visibility', r.a.visibility) : '—') },
    { key: 'overdue', label: t('col.compliance'), value: overdue, cell: (r) => compCell(r) },
  ];
  const tbl = sortableTable(t('st.caption'), columns, rows, {
    sortKey: 'name', csv: false, filter, onDraw: (list) => { count.textContent = t('st.count', { n: num(list.length), total: num(rows.length) }); },
  });
  for (const el of [q, region, rep, ldc]) el.addEventListener(el === q ? 'input' : 'change', () => tbl.redraw());
  box.replaceChildren(
    h('div', { class: 'filters row' }, field(t('st.search'), q), field(t('col.region'), region), field(t('col.report', { year }), rep),
      h('div', { class: 'check' }, ldc, h('label', { for: 'ldc-only' }, t('st.ldconly'))),
      h('button', { type: 'button', 'data-action': 'csv', onclick: () => exportCsv(rows.filter(filter), year, report, overdue) }, t('st.csv'))),
    count,
    h('div', { class: 'table-wrap' }, tbl.table));
}

// A summary's counts by status name.
function tally(comp) {
  return {
    MET: comp.met || 0, MET_LATE: comp.metLate || 0, OPEN: comp.open || 0, OVERDUE: comp.overdue || 0,
    UNKNOWN: comp.unknown || 0, NOT_APPLICABLE: comp.notApplicable || 0,
  };
}

function compCell(r) {
  if (!r.comp) return h('span', { class: 'muted' }, '—');
  const c = tally(r.comp);
  if (!r.comp.assessmentId) return h('a', { href: '#/compliance/' + r.code }, badge('none', enumText('compliance', 'UNKNOWN')));
  return h('a', { href: '#/compliance/' + r.code, class: 'tally' }, ['OVERDUE', 'MET_LATE', 'OPEN', 'MET'].filter((s) => c[s])
    .map((s) => [badge(TONE[s], enumText('compliance', s) + ' ' + num(c[s])), ' ']));
}

function csvCell(v) {
  const s = String(v ?? '');
  return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function exportCsv(rows, year, report, overdue) {
  const head = ['code', 'name', 'region', 'sub_region', 'ldc', 'report_' + year, 'completeness', 'visibility',
    'compliance_met', 'compliance_met_late', 'compliance_open', 'compliance_overdue', 'compliance_unknown'];
  const lines = [head.join(',')];
  for (const r of rows) {
    const c = r.comp ? tally(r.comp) : {};
    lines.push([r.code, r.name, r.region, r.subRegion, r.ldc ? 'yes' : 'no', report(r), r.a ? (r.a.completeness || 0).toFixed(4) : '',
      r.a ? r.a.visibility : '', c.MET || 0, c.MET_LATE || 0, c.OPEN || 0, overdue(r) < 0 ? '' : c.OVERDUE || 0, c.UNKNOWN || 0].map(csvCell).join(','));
  }
  download('unic-states-' + year + '.csv', lines.join('\r\n') + '\r\n', 'text/csv;charset=utf-8');
}
