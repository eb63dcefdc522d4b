// compliance.js: the State's compliance with Resolution #1 as of today: each duty, its deadline,
// its status in colour, symbol and words (README "Compliance with Resolution #1").
import { call } from '../api.js';
import { h } from '../dom.js';
import { t, date, currentLang, coded } from '../i18n.js';
import { screen, badge, enumText, simpleTable, documentButton } from '../ui.js';
import { contentAttrs, fallbackNotice } from './questionnaire.js';

export const TONE = { MET: 'good', MET_LATE: 'warn', OPEN: 'info', OVERDUE: 'bad', UNKNOWN: 'none', NOT_APPLICABLE: 'none' };

export async function render(main, ctx) {
  const code = ctx.who.role === 'ROLE_STATE' ? ctx.who.state.code : (ctx.args[0] || '');
  const [r, q] = await Promise.all([
    call('scoring', 'GetComplianceReport', { stateCode: code }),
    call('catalog', 'GetQuestionnaire', { questionnaireId: 'unic-compliance', locale: currentLang() }),
  ]);
  const items = Object.fromEntries((q.sections || []).flatMap((s) => s.questions || []).map((x) => [x.id, x]));
  const ca = contentAttrs(q);
  const counts = {};
  for (const it of r.items || []) counts[it.status] = (counts[it.status] || 0) + 1;
  const own = ctx.who.state && ctx.who.state.code === (r.stateCode || code);
  screen(main, t('comp.title', { state: own ? ctx.who.state.name : r.stateCode || code }),
    h('p', null, t('comp.asof', { date: date(r.asOf) })),
    fallbackNotice(q),
    h('p', { class: 'summary' }, Object.entries(counts).map(([s, n]) => [badge(TONE[s] || 'none', enumText('compliance', s) + ': ' + n), ' '])),
    r.assessmentId ? null : h('p', { class: 'notice-box', role: 'note' }, t('comp.none')));
  const docStatus = h('div', { 'aria-live': 'polite' });
  main.append(h('p', null, documentButton(t('common.pdf'), () => call('scoring', 'RenderComplianceReport', {
    stateCode: r.stateCode || code, locale: currentLang(),
  }, { timeoutMs: 60000 }), docStatus)), docStatus);
  main.append(simpleTable(t('comp.caption'), [t('col.paragraph'), t('col.duty'), t('col.deadline'), t('col.date'), t('col.status'), t('col.note')],
    (r.items || []).map((it) => {
      const year = /-(\d{4})$/.exec(it.itemId || '');
      const item = items[it.itemId] || items[(it.itemId || '').replace(/-\d{4}$/, '')];
      // Paragraph 8 is one duty per calendar year: the year tells them apart.
      return [(it.paragraph || '') + (year ? ' (' + year[1] + ')' : ''), h('span', ca, item ? item.text : it.itemId), it.deadline ? date(it.deadline) : t('comp.nodeadline'),
        it.date ? date(it.date) : '—', badge(TONE[it.status] || 'none', enumText('compliance', it.status)), noteText(it)];
    })));
}

// The note in the chosen language from its code (services/scoring/compliance.h), or the server's
// English when the code is one this portal does not know.
export function noteText(it) {
  const said = coded('cnote.', it.noteCode, it.noteArgs);
  return said !== null ? h('span', { 'data-note': it.noteCode }, said) : h('span', { lang: 'en', dir: 'ltr' }, it.note || '');
}
