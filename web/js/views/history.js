// history.js: an assessment's revisions (who did what, when, why) and any past revision,
// read-only, exactly as it was.
import { call } from '../api.js';
import { h } from '../dom.js';
import { t, dateTime, currentLang } from '../i18n.js';
import { screen, badge, enumText, simpleTable } from '../ui.js';
import { readOnlyAnswer, contentAttrs, fallbackNotice } from './questionnaire.js';

export async function render(main, ctx) {
  if (ctx.name === 'revision') return revision(main, ctx.args[0], Number(ctx.args[1]));
  const id = ctx.args[0];
  const [a, r] = await Promise.all([
    call('responses', 'GetAssessment', { assessmentId: id }),
    call('responses', 'ListRevisions', { assessmentId: id }),
  ]);
  screen(main, t('hist.title', { cycle: a.cycle, q: a.questionnaireId }),
    h('p', null, h('a', { href: '#/assessment/' + id }, t('hist.back'))));
  const revs = [...(r.revisions || [])].sort((x, y) => (y.revision || 0) - (x.revision || 0));
  main.append(simpleTable(t('hist.caption'), [t('col.revision'), t('col.when'), t('col.author'), t('col.action'),
    t('col.changed'), t('col.reason'), t('col.status'), t('col.visibility')], revs.map((v) => [
    h('a', { href: '#/revision/' + id + '/' + (v.revision || 0) }, t('hist.open', { rev: v.revision || 0 })),
    dateTime(v.createdAt), v.author || '', t('action.' + (v.action || 'SAVE')),
    (v.changedQuestions || []).join(', '), h('span', { dir: 'auto' }, v.reason || ''),
    enumText('status', v.status), enumText('visibility', v.visibility)])));
}

async function revision(main, id, rev) {
  const a = await call('responses', 'GetRevision', { assessmentId: id, revision: rev });
  const q = await call('catalog', 'GetQuestionnaire', {
    questionnaireId: a.questionnaireId, version: a.questionnaireVersion, locale: currentLang(),
  });
  screen(main, t('rev.title', { rev, cycle: a.cycle }),
    h('p', null, h('a', { href: '#/history/' + id }, t('rev.back'))),
    h('p', { class: 'notice-box', role: 'note' }, t('rev.readonly', { when: dateTime(a.updatedAt), who: a.updatedBy || '' })),
    h('p', null, badge(a.status === 'SUBMITTED' ? 'good' : 'info', enumText('status', a.status))),
    fallbackNotice(q));
  const answers = Object.fromEntries((a.answers || []).map((x) => [x.questionId, x]));
  for (const s of q.sections || []) {
    main.append(h('section', { class: 'section' }, h('h2', contentAttrs(q), s.number + '. ' + s.title),
      (s.questions || []).map((question) => h('div', { class: 'question' },
        h('h3', null, h('span', { class: 'qnum' }, question.number + '. '), h('span', contentAttrs(q), question.text)),
        readOnlyAnswer(question, answers[question.id], q)))));
  }
}
