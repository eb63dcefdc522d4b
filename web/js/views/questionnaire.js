// questionnaire.js: an assessment, section by section, in the chosen language. Drafts are saved as
// the delegation types (SaveAnswers with the assessment's etag); when someone else in the
// delegation saved first, the service answers ABORTED and the page shows both versions and lets
// the user choose: nothing is ever overwritten silently.
import { call } from '../api.js';
import { h, field, uid } from '../dom.js';
import { t, pct, dateTime, isFallback, langName, currentLang } from '../i18n.js';
import { screen, errorBox, success, badge, enumText, actionButton } from '../ui.js';
import { loadEvidence, evidenceDocs, size } from './evidence.js';

const SAVE_DELAY_MS = 1500;
const EVIDENCE_MAX = 20;

export async function render(main, ctx) {
  const [id, sectionArg] = ctx.args;
  const [a, evidence] = await Promise.all([
    call('responses', 'GetAssessment', { assessmentId: id }), loadEvidence(id),
  ]);
  const q = await call('catalog', 'GetQuestionnaire', {
    questionnaireId: a.questionnaireId, version: a.questionnaireVersion, locale: currentLang(),
  });
  const view = new AssessmentView(main, ctx, a, q, evidence);
  view.show(Number(sectionArg) || 1);
}

// The answer as the service holds it, in a canonical form for comparing two versions.
function canon(ans) {
  const x = ans || {};
  return JSON.stringify([x.level ?? null, x.targetLevel ?? null, x.yes ?? null, x.date || '',
    x.narrative || '', (x.evidence || []).map((e) => [e.uri || '', e.title || ''])]);
}

function byId(answers) {
  return Object.fromEntries((answers || []).map((x) => [x.questionId, x]));
}

export function contentAttrs(q) {
  return { lang: q.locale || 'en', dir: String(q.locale || '').startsWith('ar') ? 'rtl' : 'ltr' };
}

export function fallbackNotice(q) {
  if (!isFallback(q.locale)) return null;
  return h('p', { class: 'notice-box', role: 'note' },
    t('q.fallback', { asked: langName(currentLang()), served: langName(q.locale || 'en') }));
}

class AssessmentView {
  constructor(main, ctx, a, q, evidence) {
    this.main = main;
    this.evidence = evidence;   // documents by question, and the State's quota
    this.ctx = ctx;
    this.a = a;                 // the assessment as last read or saved
    this.q = q;
    this.base = byId(a.answers); // answers as the server has them
    this.draft = {};            // question id -> answer edited here, not yet saved
    this.timer = null;
    this.saving = null;
    this.section = 1;
    this.conflict = null;
    window.addEventListener('beforeunload', (ev) => {
      if (Object.keys(this.draft).length) ev.preventDefault();
    });
  }

  editable() {
    return this.a.status !== 'SUBMITTED' && this.ctx.who.role === 'ROLE_STATE';
  }

  show(n) {
    const sections = this.q.sections || [];
    this.section = Math.min(Math.max(1, n), sections.length || 1);
    const s = sections[this.section - 1];
    screen(this.main, this.q.title, this.header(), fallbackNotice(this.q));
    this.saveStatus = h('p', { class: 'save-status', role: 'status', 'aria-live': 'polite' });
    this.conflictBox = h('div');
    this.quotaLine = h('p', { class: 'hint ev-quota' });
    this.main.append(this.conflictBox, this.sectionNav(sections), this.quotaLine);
    this.drawQuota();
    if (s) this.main.append(this.sectionForm(s, sections.length));
    this.main.append(this.saveStatus, this.lifecycle());
    this.drawSaveStatus();
  }

  header() {
    const a = this.a;
    return h('div', { class: 'assess-head' },
      h('p', null, t('q.meta', { cycle: a.cycle, state: a.stateCode, version: a.questionnaireVersion })),
      h('p', null, badge(a.status === 'SUBMITTED' ? 'good' : 'info', enumText('status', a.status)), ' ',
        t('q.completeness', { share: pct(a.completeness) }), ' · ',
        t('q.visibility', { v: enumText('visibility', a.visibility) }), ' · ',
        t('q.revision', { rev: a.revision || 0 })),
      h('p', { class: 'actions' },
        h('a', { href: '#/history/' + a.id }, t('dash.history')),
        h('a', { href: '#/files/' + a.id, 'data-action': 'files' }, t('files.link')),
        a.questionnaireId === 'cip-self-assessment' ? h('a', { href: '#/scorecard/' + a.id }, t('dash.scorecard')) : null));
  }

  drawQuota() {
    const { used, quota } = this.evidence;
    this.quotaLine.hidden = !quota;
    this.quotaLine.textContent = quota ? t('ev.quota', { used: size(used), quota: size(quota) }) : '';
  }

  async evidenceChanged() {
    const fresh = await loadEvidence(this.a.id).catch(() => null);
    if (!fresh) return;
    this.evidence.used = fresh.used;
    this.evidence.quota = fresh.quota;
    this.drawQuota();
  }

  sectionNav(sections) {
    const answered = (s) => (s.questions || []).filter((x) => this.answerOf(x.id).level !== undefined
      || this.answerOf(x.id).yes !== undefined || (x.answerType === 'TEXT' && this.answerOf(x.id).narrative)).length;
    return h('nav', { class: 'sections', 'aria-label': t('q.sections') }, h('ol', null, sections.map((s, i) =>
      h('li', null, h('button', {
        type: 'button', class: 'link', 'aria-current': i + 1 === this.section ? 'step' : null,
        onclick: () => this.goSection(i + 1),
      }, h('span', contentAttrs(this.q), s.number + '. ' + s.title), ' ',
      h('span', { class: 'muted' }, t('q.answered', { n: answered(s), total: (s.questions || []).length })))))));
  }

  async goSection(n) {
    await this.flush();
    if (this.conflict) return;
    history.replaceState(null, '', '#/assessment/' + encodeURIComponent(this.a.id) + '/' + n);
    this.show(n);
  }

  answerOf(qid) {
    return this.draft[qid] || this.base[qid] || { questionId: qid };
  }

  sectionForm(s, count) {
    const form = h('form', { class: 'section', novalidate: true, 'aria-labelledby': 'sec-h', 'data-section': s.number },
      h('h2', { id: 'sec-h' }, h('span', contentAttrs(this.q), t('q.section', { n: s.number }) + ' ' + s.title)));
    form.addEventListener('submit', (ev) => ev.preventDefault());
    for (const question of s.questions || []) form.append(this.questionBlock(question));
    const nav = h('div', { class: 'pager' },
      this.section > 1 ? h('button', { type: 'button', 'data-action': 'prev', onclick: () => this.goSection(this.section - 1) }, t('q.prev')) : null,
      this.section < count ? h('button', { type: 'button', class: 'primary', 'data-action': 'next', onclick: () => this.goSection(this.section + 1) }, t('q.next')) : null,
      this.editable() ? actionButton(t('q.savenow'), () => this.flush(), null, 'save') : null);
    form.append(nav);
    return form;
  }

  questionBlock(question) {
    const ans = this.answerOf(question.id);
    const ca = contentAttrs(this.q);
    const head = h('legend', null, h('span', { class: 'qnum' }, question.number + '. '),
      h('span', ca, question.text));
    const parts = [head];
    if ((question.subItems || []).length) parts.push(h('ul', { ...ca, class: 'subitems' }, question.subItems.map((x) => h('li', null, x))));
    if (question.guidance) parts.push(h('details', null, h('summary', null, t('q.guidance')), h('p', ca, question.guidance)));
    if (!this.editable()) {
      parts.push(readOnlyAnswer(question, ans, this.q), this.documents(question.id));
      return h('fieldset', { class: 'question', id: 'q-' + question.id }, parts);
    }
    const changed = (edit) => this.edit(question.id, edit);
    if (question.answerType === 'MATURITY_LEVEL') parts.push(levelChoice(question, ans, changed, ca), targetChoice(question, ans, changed));
    if (question.answerType === 'YES_NO') parts.push(yesNo(question, ans, changed));
    parts.push(narrative(ans, changed), evidenceList(ans, changed), this.documents(question.id));
    return h('fieldset', { class: 'question', id: 'q-' + question.id }, parts);
  }

  documents(qid) {
    const docs = this.evidence.byQuestion[qid] || (this.evidence.byQuestion[qid] = []);
    if (!docs.length && !this.editable()) return null;
    return evidenceDocs(this.a.id, qid, docs, this.editable(), () => this.evidenceChanged());
  }

  edit(qid, change) {
    const cur = { ...this.answerOf(qid) };
    change(cur);
    delete cur.updatedAt;
    delete cur.updatedBy;
    this.draft[qid] = cur;
    this.drawSaveStatus();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
  }

  drawSaveStatus() {
    if (!this.saveStatus) return;
    const n = Object.keys(this.draft).length;
    let state = 'saved';
    if (!this.editable()) state = 'readonly';
    else if (this.conflict) state = 'conflict';
    else if (this.saving) state = 'saving';
    else if (n) state = 'dirty';
    this.saveStatus.dataset.state = state;
    this.saveStatus.textContent = {
      readonly: () => t('q.readonly'), conflict: () => t('q.conflict'), saving: () => t('q.saving'),
      dirty: () => t('q.unsaved', { n }), saved: () => t('q.saved', { when: dateTime(this.a.updatedAt) }),
    }[state]();
  }

  // Saves what was edited; resolves once the server has it (or a conflict is on screen).
  async flush() {
    clearTimeout(this.timer);
    while (this.saving) await this.saving;
    const ids = Object.keys(this.draft);
    if (!ids.length || this.conflict) return;
    this.saving = this.save(ids);
    this.drawSaveStatus();
    try {
      await this.saving;
    } finally {
      this.saving = null;
      this.drawSaveStatus();
    }
  }

  async save(ids, etag = this.a.etag) {
    const answers = ids.map((id) => this.draft[id]);
    try {
      const a = await call('responses', 'SaveAnswers', {
        assessmentId: this.a.id, etag, answers, requestId: crypto.randomUUID(),
      });
      for (const id of ids) if (this.draft[id] === answers[ids.indexOf(id)]) delete this.draft[id];
      this.accept(a);
    } catch (err) {
      if (err.code === 'aborted') return this.onConflict(ids);
      this.conflictBox.replaceChildren(errorBox(err));
    }
  }

  accept(a) {
    this.a = a;
    this.base = byId(a.answers);
    const head = this.main.querySelector('.assess-head');
    if (head) head.replaceWith(this.header());
    // The counts of answered questions per section follow what the server now holds.
    const nav = this.main.querySelector('.sections');
    if (nav) nav.replaceWith(this.sectionNav(this.q.sections || []));
  }

  // Someone saved after we read. Questions only we changed are saved on top of theirs (and the
  // page says so); questions both changed are shown side by side for the user to choose.
  async onConflict(ids) {
    const theirs = await call('responses', 'GetAssessment', { assessmentId: this.a.id });
    const now = byId(theirs.answers);
    const clash = ids.filter((id) => canon(now[id]) !== canon(this.base[id]) && canon(now[id]) !== canon(this.draft[id]));
    if (!clash.length) {
      this.accept(theirs);
      this.conflictBox.replaceChildren(success(t('q.merged', { who: theirs.updatedBy || '', when: dateTime(theirs.updatedAt) })));
      return this.save(ids, theirs.etag);
    }
    this.conflict = { theirs, clash };
    this.drawSaveStatus();
    const questions = Object.fromEntries((this.q.sections || []).flatMap((s) => s.questions || []).map((x) => [x.id, x]));
    const rows = clash.map((id) => h('div', { class: 'clash' },
      h('h3', null, t('q.question', { n: questions[id] ? questions[id].number : id })),
      h('div', { class: 'both' },
        h('div', null, h('h4', null, t('q.theirs', { who: now[id] && now[id].updatedBy ? now[id].updatedBy : theirs.updatedBy || '' })),
          readOnlyAnswer(questions[id], now[id] || {}, this.q)),
        h('div', null, h('h4', null, t('q.mine')), readOnlyAnswer(questions[id], this.draft[id], this.q)))));
    const box = h('section', { class: 'conflict', role: 'alert', 'aria-labelledby': 'conflict-h' },
      h('h2', { id: 'conflict-h' }, t('q.conflict')),
      h('p', null, t('q.conflict.text', { who: theirs.updatedBy || '', when: dateTime(theirs.updatedAt) })),
      rows,
      h('div', { class: 'pager' },
        actionButton(t('q.keepmine'), () => this.resolve(true), 'primary', 'keepmine'),
        actionButton(t('q.taketheirs'), () => this.resolve(false), null, 'taketheirs')));
    this.conflictBox.replaceChildren(box);
    box.querySelector('h2').setAttribute('tabindex', '-1');
    box.querySelector('h2').focus();
  }

  async resolve(keepMine) {
    const { theirs, clash } = this.conflict;
    this.conflict = null;
    if (!keepMine) for (const id of clash) delete this.draft[id];
    this.accept(theirs);
    const ids = Object.keys(this.draft);
    if (ids.length) await this.save(ids, theirs.etag);
    const msg = this.conflictBox.firstChild && this.conflictBox.firstChild.classList.contains('error') ? this.conflictBox.firstChild : null;
    this.show(this.section);
    if (msg) this.conflictBox.append(msg);
    else this.conflictBox.append(success(keepMine ? t('q.keptmine') : t('q.tooktheirs')));
  }

  lifecycle() {
    const a = this.a;
    const box = h('section', { class: 'card lifecycle', 'aria-labelledby': 'life-h' }, h('h2', { id: 'life-h' }, t('q.lifecycle')));
    const status = h('div', { 'aria-live': 'polite' });
    if (this.ctx.who.role !== 'ROLE_STATE') return null;
    const vis = h('select', null, ['PRIVATE', 'UNIC', 'PUBLIC'].map((v) =>
      h('option', { value: v, selected: v === a.visibility }, enumText('visibility', v) + ' — ' + t('visibility.' + v))));
    box.append(h('div', { class: 'row' }, field(t('col.visibility'), vis),
      actionButton(t('q.setvisibility'), () => this.act(status, () => this.flush().then(() =>
        call('responses', 'SetVisibility', { assessmentId: a.id, visibility: vis.value, etag: this.a.etag, requestId: crypto.randomUUID() })),
      t('q.visibilityset')), null, 'visibility')));
    if (a.status !== 'SUBMITTED') {
      box.append(h('p', null, t('q.submit.text')),
        actionButton(t('q.submit'), () => this.act(status, () => this.flush().then(() => {
          if (this.conflict || Object.keys(this.draft).length) throw Object.assign(new Error(t('q.unsaved', { n: Object.keys(this.draft).length })), { code: 'aborted' });
          return call('responses', 'SubmitAssessment', { assessmentId: a.id, etag: this.a.etag, requestId: crypto.randomUUID() });
        }), t('q.submitted')), 'primary', 'submit'));
    } else {
      const reason = h('textarea', { rows: 2, required: true, maxlength: 2000 });
      box.append(field(t('q.reason'), reason, t('q.reason.hint')),
        actionButton(t('q.reopen'), () => {
          if (!reason.value.trim()) {
            status.replaceChildren(errorBox({ code: 'reason_empty', message: '' }));
            reason.focus();
            return Promise.resolve();
          }
          return this.act(status, () => call('responses', 'ReopenAssessment', {
            assessmentId: a.id, etag: this.a.etag, reason: reason.value.trim(), requestId: crypto.randomUUID(),
          }), t('q.reopened'));
        }, null, 'reopen'));
    }
    box.append(status);
    return box;
  }

  async act(status, fn, done) {
    status.replaceChildren();
    try {
      const a = await fn();
      this.accept(a);
      this.show(this.section);
      this.conflictBox.append(success(done));
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  }
}

function levelChoice(question, ans, changed, ca) {
  const name = uid('level');
  const current = ans.level;
  const options = (question.levels || []).map((l) => {
    const id = uid('lv');
    const lv = l.level || 0;
    const input = h('input', { type: 'radio', name, id, value: lv, checked: current === lv });
    input.addEventListener('change', () => changed((x) => { x.level = lv; }));
    return h('div', { class: 'level' }, input,
      h('label', { for: id }, h('strong', ca, lv + ' · ' + (l.name || '')), ' ',
        h('span', { ...ca, class: 'desc' }, l.description || '')));
  });
  const clearBtn = h('button', { type: 'button', class: 'link' }, t('q.clearlevel'));
  clearBtn.addEventListener('click', (ev) => {
    ev.target.closest('fieldset').querySelectorAll('input[name="' + name + '"]').forEach((r) => { r.checked = false; });
    changed((x) => { delete x.level; });
  });
  return h('fieldset', { class: 'levels' }, h('legend', null, t('q.level')), options, clearBtn);
}

function targetChoice(question, ans, changed) {
  const names = Object.fromEntries((question.levels || []).map((l) => [l.level || 0, l.name]));
  const sel = h('select', null,
    h('option', { value: '', selected: ans.targetLevel === undefined }, t('q.target.default', { name: names[3] || '3' })),
    [0, 1, 2, 3, 4, 5].map((lv) => h('option', { value: lv, selected: ans.targetLevel === lv }, lv + ' · ' + (names[lv] || ''))));
  sel.addEventListener('change', () => changed((x) => {
    if (sel.value === '') delete x.targetLevel;
    else x.targetLevel = Number(sel.value);
  }));
  return field(t('q.target'), sel, t('q.target.hint'));
}

function yesNo(question, ans, changed) {
  const name = uid('yn');
  const opt = (value, label) => {
    const id = uid('yn');
    const input = h('input', { type: 'radio', name, id, checked: ans.yes === value });
    input.addEventListener('change', () => changed((x) => { x.yes = value; }));
    return h('div', { class: 'level' }, input, h('label', { for: id }, label));
  };
  const d = h('input', { type: 'date', value: ans.date || '' });
  d.addEventListener('change', () => changed((x) => { x.date = d.value; }));
  return [h('fieldset', { class: 'levels' }, h('legend', null, t('q.yesno')), opt(true, t('q.yes')), opt(false, t('q.no'))),
    field(t('q.date'), d, question.deadline ? t('q.deadline', { date: question.deadline }) : null)];
}

function narrative(ans, changed) {
  const ta = h('textarea', { rows: 3, maxlength: 20000, dir: 'auto' });
  ta.value = ans.narrative || '';
  ta.addEventListener('input', () => changed((x) => { x.narrative = ta.value; }));
  return field(t('q.narrative'), ta);
}

function evidenceList(ans, changed) {
  const list = h('div', { class: 'evidence' });
  const items = () => [...list.querySelectorAll('.ev-row')].map((row) => ({
    uri: row.querySelector('input[type=url]').value.trim(), title: row.querySelector('input[type=text]').value.trim(),
  })).filter((e) => e.uri || e.title);
  const update = () => changed((x) => { x.evidence = items(); });
  const addRow = (e) => {
    const uri = h('input', { type: 'url', value: e.uri || '', placeholder: 'https://', dir: 'ltr' });
    const title = h('input', { type: 'text', value: e.title || '', dir: 'auto' });
    uri.addEventListener('change', update);
    title.addEventListener('change', update);
    const remove = h('button', { type: 'button', class: 'link' }, t('q.evidence.remove'));
    const row = h('div', { class: 'ev-row row' }, field(t('q.evidence.uri'), uri), field(t('q.evidence.title'), title), remove);
    remove.addEventListener('click', () => {
      row.remove();
      update();
    });
    list.append(row);
    return uri;
  };
  for (const e of ans.evidence || []) addRow(e);
  const add = h('button', { type: 'button' }, t('q.evidence.add'));
  add.addEventListener('click', () => {
    if (list.children.length >= EVIDENCE_MAX) return;
    addRow({}).focus();
  });
  return h('fieldset', { class: 'ev' }, h('legend', null, t('q.evidence')), list, add);
}

// An answer as text: for submitted assessments, past revisions and the conflict view.
export function readOnlyAnswer(question, ans, q) {
  const x = ans || {};
  const ca = contentAttrs(q);
  const names = Object.fromEntries(((question && question.levels) || []).map((l) => [l.level || 0, l.name]));
  const rows = [];
  if (!question || question.answerType === 'MATURITY_LEVEL') {
    rows.push([t('q.level'), x.level === undefined ? t('q.unanswered') : h('span', ca, x.level + ' · ' + (names[x.level] || ''))]);
    rows.push([t('q.target'), x.targetLevel === undefined ? t('q.target.default', { name: names[3] || '3' }) : h('span', ca, x.targetLevel + ' · ' + (names[x.targetLevel] || ''))]);
  }
  if (question && question.answerType === 'YES_NO') {
    rows.push([t('q.yesno'), x.yes === undefined ? t('q.unanswered') : (x.yes ? t('q.yes') : t('q.no'))]);
    if (x.date) rows.push([t('q.date'), x.date]);
  }
  rows.push([t('q.narrative'), x.narrative ? h('span', { dir: 'auto', class: 'pre' }, x.narrative) : '—']);
  if ((x.evidence || []).length) {
    rows.push([t('q.evidence'), h('ul', null, x.evidence.map((e) => h('li', null,
      /^https?:\/\//.test(e.uri || '') ? h('a', { href: e.uri, rel: 'noopener noreferrer', target: '_blank' }, e.title || e.uri) : (e.title || e.uri))))]);
  }
  return h('dl', { class: 'answer' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}
