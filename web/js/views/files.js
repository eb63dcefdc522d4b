// files.js: an assessment as a file to fill in offline (docs/exchange.md), for delegations whose
// connection is slow or intermittent. Download: ExportAssessment as XLSX, CSV or JSON, the
// question texts in the page's language, fetched as the file itself (no base64). Upload: the
// filled file is first checked (ImportAnswers with validate_only), which lists every bad cell or
// every answer it would change, before and after; only the confirm writes, with the etag the
// check was made against, so what is written is what was shown. When someone saved in between,
// the service answers ABORTED: the page says so and checks the file again against the new answers.
import { call, callFile, base64 } from '../api.js';
import { h, uid, download } from '../dom.js';
import { t, num, pct, currentLang } from '../i18n.js';
import { screen, errorBox, success, badge, enumText, actionButton, simpleTable, staleOr } from '../ui.js';
import { contentAttrs, fallbackNotice } from './questionnaire.js';
import { size } from './evidence.js';

const MAX_BYTES = 8 * 1024 * 1024; // services/responses/exchange.h: EXCHANGE_MAX_BYTES
const TIMEOUT_MS = 120000;         // a few hundred KB each way on a slow link
const FORMATS = ['XLSX', 'CSV', 'JSON'];

export async function render(main, ctx) {
  const [id] = ctx.args;
  let a = await call('responses', 'GetAssessment', { assessmentId: id });
  const q = await call('catalog', 'GetQuestionnaire', {
    questionnaireId: a.questionnaireId, version: a.questionnaireVersion, locale: currentLang(),
  });
  const questions = Object.fromEntries((q.sections || []).flatMap((s) => s.questions || []).map((x) => [x.id, x]));
  const head = h('div');
  const drawHead = () => head.replaceChildren(h('div', { class: 'assess-head' },
    h('p', null, h('span', contentAttrs(q), q.title), ' · ', t('q.meta', { cycle: a.cycle, state: a.stateCode, version: a.questionnaireVersion })),
    h('p', null, badge(a.status === 'SUBMITTED' ? 'good' : 'info', enumText('status', a.status)), ' ',
      t('q.completeness', { share: pct(a.completeness) }), ' · ', t('q.revision', { rev: a.revision || 0 })),
    h('p', { class: 'actions' }, h('a', { href: '#/assessment/' + encodeURIComponent(a.id) }, t('files.back')))));
  drawHead();
  screen(main, t('files.title'), h('p', { class: 'lead' }, t('files.lead')), head, fallbackNotice(q));
  const uploadSlot = h('div');
  main.append(exportCard(a), uploadSlot);

  const drawUpload = () => uploadSlot.replaceChildren(ctx.who.role !== 'ROLE_STATE' ? null
    : a.status === 'SUBMITTED'
      ? h('section', { class: 'card', 'aria-labelledby': 'imp-h' }, h('h2', { id: 'imp-h' }, t('files.import')),
        h('p', null, t('files.submitted')), h('p', null, h('a', { href: '#/assessment/' + encodeURIComponent(a.id) }, t('files.back'))))
      : importCard(() => a, (next) => { a = next; drawHead(); }, questions, q));
  drawUpload();
}

function exportCard(a) {
  const name = uid('fmt');
  const choices = FORMATS.map((f, i) => {
    const rid = name + '-' + f;
    return h('div', { class: 'level' }, h('input', { type: 'radio', name, id: rid, value: f, checked: i === 0 }),
      h('label', { for: rid }, h('strong', null, f), ' ', h('span', { class: 'desc' }, t('files.fmt.' + f))));
  });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('fieldset', { class: 'levels' }, h('legend', null, t('files.format')), choices);
  const button = actionButton(t('files.download'), async () => {
    status.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('files.downloading')));
    const format = form.querySelector('input:checked').value;
    try {
      const file = await callFile('responses', 'ExportAssessment', { assessmentId: a.id, format, locale: currentLang() },
        { timeoutMs: TIMEOUT_MS });
      download(file.filename, file.blob, file.contentType);
      status.replaceChildren(success(t('files.downloaded', { name: file.filename, size: size(file.blob.size) })));
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  }, 'primary', 'export');
  return h('section', { class: 'card export', 'aria-labelledby': 'exp-h' },
    h('h2', { id: 'exp-h' }, t('files.export')), h('p', null, t('files.export.text')), form,
    h('p', { class: 'hint' }, t('files.export.hint')), button, status);
}

// What a file holds, from its first bytes: a workbook is a ZIP archive, JSON opens with a brace.
function sniff(bytes) {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'XLSX';
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i += 1;
  return bytes[i] === 0x7b ? 'JSON' : 'CSV';
}

function importCard(current, accepted, questions, q) {
  const input = h('input', { type: 'file', accept: '.xlsx,.csv,.json,application/json,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const status = h('div', { 'aria-live': 'polite' });
  const preview = h('div', { class: 'import-preview' });
  let file = null; // {name, format, content, etag}: what was checked, sent again by the confirm

  async function check(note) {
    preview.replaceChildren();
    status.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('files.checking')));
    const a = current();
    file.etag = a.etag;
    // The confirm of this preview is one write: its retries (a lost reply) carry the same key.
    file.requestId = crypto.randomUUID();
    let r;
    try {
      r = await call('responses', 'ImportAnswers', {
        assessmentId: a.id, format: file.format, content: file.content, etag: a.etag, validateOnly: true,
      }, { timeoutMs: TIMEOUT_MS });
    } catch (err) {
      status.replaceChildren(errorBox(err));
      return;
    }
    status.replaceChildren(...(note ? [note] : []));
    preview.replaceChildren(...previewOf(r, a).filter(Boolean));
    const title = preview.querySelector('h3');
    if (title) title.focus();
  }

  function previewOf(r, a) {
    const read = h('p', { class: 'hint' }, t('files.readas', { name: file.name, format: file.format, size: size(file.size) }));
    const older = /-r(\d+)\.(?:xlsx|csv|json)$/i.exec(file.name);
    const stale = older && Number(older[1]) < (a.revision || 0)
      ? h('p', { class: 'notice-box', role: 'note' }, t('files.older', { then: older[1], now: a.revision || 0 })) : null;
    if (!r.valid) {
      const errors = r.errors || [];
      const sheets = errors.some((e) => e.sheet);
      const headers = [sheets ? t('files.col.sheet') : null, t('files.col.row'), t('files.col.column'), t('files.col.problem')].filter(Boolean);
      const rows = errors.map((e) => [sheets ? h('span', { dir: 'auto' }, e.sheet || '') : null, num(e.row), h('code', null, e.column),
        h('span', { lang: 'en', dir: 'ltr' }, e.message)].filter((c) => c !== null));
      return [h('h3', { tabindex: '-1', id: 'prev-h' }, t('files.bad', { n: num(r.errorCount || errors.length) })), read,
        h('div', { class: 'error', role: 'alert' }, h('strong', null, t('files.nothing'))),
        (r.errorCount || 0) > errors.length ? h('p', { class: 'hint' }, t('files.bad.first', { shown: num(errors.length) })) : null,
        file.format === 'JSON' ? h('p', { class: 'hint' }, t('files.bad.json')) : null,
        h('div', { class: 'table-wrap' }, simpleTable(t('files.bad.caption'), headers, rows, true))];
    }
    const changes = r.changes || [];
    if (!changes.length) {
      return [h('h3', { tabindex: '-1', id: 'prev-h' }, t('files.nochange')), read, stale];
    }
    const rows = changes.map((ch) => {
      const x = questions[ch.questionId];
      return [h('span', null, h('span', { class: 'qnum' }, (x ? x.number : ch.questionId) + '. '), x ? h('span', contentAttrs(q), x.text) : null),
        answerFields(x, ch.before, ch.after, 'before', q), answerFields(x, ch.before, ch.after, 'after', q)];
    });
    const confirm = actionButton(t('files.apply', { n: num(changes.length) }), () => apply(), 'primary', 'import-confirm');
    const cancel = h('button', { type: 'button', 'data-action': 'import-cancel', onclick: () => {
      preview.replaceChildren();
      status.replaceChildren();
      input.focus();
    } }, t('common.cancel'));
    return [h('h3', { tabindex: '-1', id: 'prev-h' }, t('files.changes', { n: num(changes.length) })), read, stale,
      h('p', null, t('files.changes.text')),
      h('div', { class: 'table-wrap' }, simpleTable(t('files.changes.caption'), [t('files.col.question'), t('files.col.before'), t('files.col.after')], rows, true)),
      h('div', { class: 'pager' }, confirm, cancel)];
  }

  async function apply() {
    const a = current();
    try {
      const r = await call('responses', 'ImportAnswers', {
        assessmentId: a.id, format: file.format, content: file.content, etag: file.etag, validateOnly: false,
        requestId: file.requestId,
      }, { timeoutMs: TIMEOUT_MS });
      if (r.assessment) accepted(r.assessment);
      preview.replaceChildren();
      status.replaceChildren(success(r.written
        ? t('files.applied', { n: num((r.changes || []).length), rev: r.assessment ? r.assessment.revision : '' })
        : t('files.nochange')));
      input.value = '';
      file = null;
    } catch (err) {
      // Someone saved since the check: the preview no longer says what would change.
      await staleOr(err, status, async () => {
        accepted(await call('responses', 'GetAssessment', { assessmentId: a.id }));
        preview.replaceChildren();
      }, t('files.stale'));
      if (err.code === 'aborted') await check(status.firstChild);
    }
  }

  const checkButton = actionButton(t('files.check'), async () => {
    preview.replaceChildren();
    const chosen = input.files && input.files[0];
    if (!chosen) {
      status.replaceChildren(errorBox({ code: 'ev_nofile', message: '' }));
      input.focus();
      return;
    }
    if (chosen.size > MAX_BYTES) {
      status.replaceChildren(errorBox({ code: 'files_toobig', message: t('files.toobig', { size: size(chosen.size), max: size(MAX_BYTES) }) }));
      return;
    }
    const bytes = new Uint8Array(await chosen.arrayBuffer());
    file = { name: chosen.name, size: chosen.size, format: sniff(bytes), content: base64(bytes) };
    await check(null);
  }, 'primary', 'import-check');
  const inputId = uid('imp');
  input.id = inputId;
  input.setAttribute('aria-describedby', inputId + '-hint');
  return h('section', { class: 'card import', 'aria-labelledby': 'imp-h' },
    h('h2', { id: 'imp-h' }, t('files.import')), h('p', null, t('files.import.text')),
    h('div', { class: 'field' }, h('label', { for: inputId }, t('files.choose')), input,
      h('p', { class: 'hint', id: inputId + '-hint' }, t('files.choose.hint', { max: size(MAX_BYTES) }))),
    checkButton, status, preview);
}

const FIELDS = ['level', 'targetLevel', 'yes', 'date', 'narrative', 'evidence'];

function fieldText(field, x, question, q) {
  const names = Object.fromEntries(((question && question.levels) || []).map((l) => [l.level || 0, l.name]));
  const ca = contentAttrs(q);
  switch (field) {
    case 'level': return x.level === undefined ? t('q.unanswered') : h('span', ca, x.level + ' · ' + (names[x.level] || ''));
    case 'targetLevel': return x.targetLevel === undefined ? t('q.target.default', { name: names[3] || '3' }) : h('span', ca, x.targetLevel + ' · ' + (names[x.targetLevel] || ''));
    case 'yes': return x.yes === undefined ? t('q.unanswered') : (x.yes ? t('q.yes') : t('q.no'));
    case 'date': return x.date || '—';
    case 'narrative': return x.narrative ? h('span', { dir: 'auto', class: 'pre' }, x.narrative) : '—';
    default: return (x.evidence || []).length
      ? h('ul', null, x.evidence.map((e) => h('li', { dir: 'auto' }, e.title ? e.title + ' — ' + e.uri : e.uri))) : '—';
  }
}

const LABELS = { level: 'q.level', targetLevel: 'q.target', yes: 'q.yesno', date: 'q.date', narrative: 'q.narrative', evidence: 'q.evidence' };

// The fields of one answer that the import changes, as they are before or after it.
function answerFields(question, before, after, side, q) {
  const b = before || {};
  const a = after || {};
  const same = (f) => JSON.stringify(b[f] ?? null) === JSON.stringify(a[f] ?? null);
  const shown = FIELDS.filter((f) => !same(f));
  const x = side === 'before' ? b : a;
  if (side === 'before' && !before) return h('span', { class: 'muted' }, t('files.noanswer'));
  if (side === 'after' && !after) return h('span', { class: 'muted' }, t('files.cleared'));
  return h('dl', { class: 'answer', 'data-side': side }, shown.map((f) => [h('dt', null, t(LABELS[f])), h('dd', null, fieldText(f, x, question, q))]));
}
