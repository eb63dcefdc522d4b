// states.js: for UNIC operators, the 193 Member States with this year's reporting status and
// their compliance with Resolution #1 at a glance: sortable, filterable, exportable as CSV.
// Assessments a State keeps PRIVATE are not readable by operators, and show as "not shared".
import { call, listAll } from '../api.js';
import { h, field, download } from '../dom.js';
import { t, pct, num } from '../i18n.js';
import { screen, badge, enumText, sortableTable, loading, namesNotice } from '../ui.js';
import { TONE } from './compliance.js';

const PARALLEL = 6; // what browsers open per origin over HTTP/1.1 anyway

export async function render(main) {
  const year = new Date().getUTCFullYear();
  screen(main, t('st.title', { year }), namesNotice());
  const box = h('div', null, loading());
  main.append(box);
  const [states, assessments] = await Promise.all([
    call('catalog', 'ListStates', {}).then((r) => r.states || []),
    listAll('responses', 'ListAssessments', { questionnaireId: 'cip-self-assessment', cycle: year }, 'assessments'),
  ]);
  const byState = Object.fromEntries(assessments.map((a) => [a.stateCode, a]));
  const rows = states.map((s) => ({ ...s, a: byState[s.code] || null, comp: null }));
  const report = (r) => (r.a ? (r.a.status === 'SUBMITTED' ? 'SUBMITTED' : 'DRAFT') : 'NONE');

  const q = h('input', { type: 'search', dir: 'auto' });
  const regions = [...new Set(states.map((s) => s.region))].sort();
  const region = h('select', null, h('option', { value: '' }, t('st.allregions')), regions.map((r) => h('option', { value: r }, r)));
  const rep = h('select', null, h('option', { value: '' }, t('st.allreports')),
    ['SUBMITTED', 'DRAFT', 'NONE'].map((v) => h('option', { value: v }, t('st.report.' + v))));
  const ldc = h('input', { type: 'checkbox', id: 'ldc-only' });
  const count = h('p', { role: 'status', 'aria-live': 'polite' });
  const filter = (r) => {
    const needle = q.value.trim().toLowerCase();
    return (!needle || r.name.toLowerCase().includes(needle) || r.code.toLowerCase().includes(needle))
      && (!region.value || r.region === region.value) && (!rep.value || report(r) === rep.value) && (!ldc.checked || r.ldc);
  };
  const overdue = (r) => (r.comp && r.comp.items ? r.comp.items.filter((i) => i.status === 'OVERDUE').length : -1);
  const columns = [
    { key: 'name', label: t('col.state'), header: true, cell: (r) => [r.name, ' ', h('span', { class: 'muted' }, r.code)] },
    { key: 'region', label: t('col.region'), cell: (r) => r.subRegion || r.region },
    { key: 'ldc', label: t('col.ldc'), value: (r) => (r.ldc ? 1 : 0), cell: (r) => (r.ldc ? t('common.yes') : t('common.no')) },
    { key: 'report', label: t('col.report', { year }), value: report, cell: (r) => (r.a
      ? [badge(r.a.status === 'SUBMITTED' ? 'good' : 'warn', enumText('status', r.a.status)), ' ', pct(r.a.completeness), ' ',
        h('a', { href: '#/scorecard/' + r.a.id }, t('dash.scorecard'))]
      : badge('none', t('st.report.NONE'))) },
    { key: 'visibility', label: t('col.visibility'), value: (r) => (r.a ? r.a.visibility : ''), cell: (r) => (r.a ? enumText('visibility', r.a.visibility) : '—') },
    { key: 'overdue', label: t('col.compliance'), value: overdue, cell: (r) => compCell(r) },
  ];
  const tbl = sortableTable(t('st.caption'), columns, rows, {
    sortKey: 'name', filter, onDraw: (list) => { count.textContent = t('st.count', { n: num(list.length), total: num(rows.length) }); },
  });
  for (const el of [q, region, rep, ldc]) el.addEventListener(el === q ? 'input' : 'change', () => tbl.redraw());
  const progress = h('progress', { max: rows.length, value: 0 });
  const progressText = h('span');
  const progressRow = h('p', { class: 'hint' }, h('label', null, t('st.loadingcomp'), ' ', progress), ' ', progressText);
  box.replaceChildren(
    h('div', { class: 'filters row' }, field(t('st.search'), q), field(t('col.region'), region), field(t('col.report', { year }), rep),
      h('div', { class: 'check' }, ldc, h('label', { for: 'ldc-only' }, t('st.ldconly'))),
      h('button', { type: 'button', 'data-action': 'csv', onclick: () => exportCsv(rows.filter(filter), year, report, overdue) }, t('st.csv'))),
    count,
    progressRow,
    h('div', { class: 'table-wrap' }, tbl.table));

  // Compliance per State, a few at a time, filling the table as answers come.
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < rows.length) {
      const r = rows[next++];
      try {
        r.comp = await call('scoring', 'GetComplianceReport', { stateCode: r.code });
      } catch (err) {
        r.comp = { error: err.code };
      }
      done += 1;
      progress.value = done;
      progressText.textContent = num(done) + ' / ' + num(rows.length);
      if (done % 20 === 0 || done === rows.length) tbl.redraw();
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  progressRow.hidden = true;
  tbl.redraw();
}

function tally(comp) {
  const c = {};
  for (const i of comp.items || []) c[i.status] = (c[i.status] || 0) + 1;
  return c;
}

function compCell(r) {
  if (!r.comp) return h('span', { class: 'muted' }, '…');
  if (r.comp.error) return h('span', { class: 'muted' }, t('st.notshared'));
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
    const c = r.comp && !r.comp.error ? tally(r.comp) : {};
    lines.push([r.code, r.name, r.region, r.subRegion, r.ldc ? 'yes' : 'no', report(r), r.a ? (r.a.completeness || 0).toFixed(4) : '',
      r.a ? r.a.visibility : '', c.MET || 0, c.MET_LATE || 0, c.OPEN || 0, overdue(r) < 0 ? '' : c.OVERDUE || 0, c.UNKNOWN || 0].map(csvCell).join(','));
  }
  download('unic-states-' + year + '.csv', lines.join('\r\n') + '\r\n', 'text/csv;charset=utf-8');
}
