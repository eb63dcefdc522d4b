// practices.js: best practices (A/RES/64/211 operative para 2: States share the practices that
// could help others, for compilation and dissemination to Member States; PracticeService,
// docs/practices.md). A delegation shares a practice of its own State, an operator one of a
// State or an organisation; operators accept or reject what was submitted (a rejection with the
// reason the State reads); anyone searches what it may see, page by page; the compilation of a
// year and topic is read and saved as CSV, and operators publish its next edition.
// Every write carries a request_id of its own (a retry of the same write after a failure reuses
// it, so a lost reply never shares or publishes twice; a changed form, or the next write once one
// succeeded, gets a new one).
import { call } from '../api.js';
import { h, field, download, uid } from '../dom.js';
import { t, num, date, dateTime, langName, currentLang, LANGS, topicName } from '../i18n.js';
import { screen, errorBox, success, badge, enumText, actionButton, askDialog, loading, namesNotice, checkGroup } from '../ui.js';

const PAGE = 10;
const TOPICS_MAX = 10;
const STATUS = ['ACCEPTED', 'SUBMITTED', 'REJECTED'];
const TONE = { ACCEPTED: 'good', SUBMITTED: 'info', REJECTED: 'bad' };

export async function render(main, ctx) {
  const operator = ctx.who.role === 'ROLE_OPERATOR';
  screen(main, t('prac.title'), h('p', { class: 'lead' }, t('prac.lead')), namesNotice());
  const status = h('div', { 'aria-live': 'polite' });
  main.append(status);
  const [topicsR, statesR] = await Promise.all([call('catalog', 'ListTopics', {}), call('catalog', 'ListStates', {})]);
  const ref = {
    topics: topicsR.topics || [],
    states: statesR.states || [],
    topicName: {},
    stateName: {},
  };
  for (const x of ref.topics) ref.topicName[x.id] = topicName(x.id, x.title);
  for (const s of ref.states) ref.stateName[s.code] = s.name;

  const search = searchCard(operator, ref, status);
  // Once shared, the practice is shown where it waits: among those awaiting curation.
  const share = shareCard(ctx, operator, ref, status, () => search.run({ status: 'SUBMITTED', query: '' }));
  main.append(share, compilationCard(operator, ref, status), search.el);
  await search.run();
}

// Who shared it, as the page shows it.
function source(p, ref) {
  if (p.stateCode) return (ref.stateName[p.stateCode] || p.stateCode) + ' (' + p.stateCode + ')';
  return p.organisation || '';
}

// One practice: what it is, who shared it, when, in which language, for whom, its status (a
// word beside the colour), the summary, then its text folded and its link; operators curate a
// submitted one from here.
function practiceArticle(p, ref, curate, level = 'h3') {
  const st = p.status || 'SUBMITTED';
  const hid = uid('pr');
  const facts = [
    [t('col.source'), h('span', { dir: 'auto' }, source(p, ref))],
    [t('prac.date'), date(p.date)],
    [t('prac.language'), h('span', { lang: p.language }, langName(p.language))],
    [t('col.topics'), (p.topics || []).map((x) => ref.topicName[x] || x).join(', ')],
    [t('col.visibility'), enumText('pvis', p.visibility || 'MEMBER_STATES')],
  ];
  return h('article', { class: 'practice', 'data-practice': p.id, 'data-status': st, 'aria-labelledby': hid },
    h(level, { id: hid, dir: 'auto', lang: p.language }, p.title || ''),
    h('p', { class: 'practice-status' }, badge(TONE[st] || 'none', enumText('pstatus', st)),
      p.curatedAt ? h('span', { class: 'muted' }, ' ', t('prac.curated', { when: dateTime(p.curatedAt) })) : null),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))),
    h('p', { class: 'summary', dir: 'auto', lang: p.language }, p.summary || ''),
    st === 'REJECTED' && p.rejectionReason
      ? h('p', { class: 'reason' }, h('strong', null, t('prac.reason') + ' '), h('span', { dir: 'auto' }, p.rejectionReason)) : null,
    p.text ? h('details', null, h('summary', null, t('prac.readtext')), h('div', { class: 'pre', dir: 'auto', lang: p.language }, p.text)) : null,
    p.link ? h('p', null, h('a', { href: p.link, rel: 'noopener noreferrer', target: '_blank', dir: 'ltr' },
      t('prac.link'), h('span', { class: 'sr-only' }, ' ' + t('prac.newtab')))) : null,
    curate && st === 'SUBMITTED' ? h('div', { class: 'actions' },
      actionButton(t('prac.accept'), () => curate(p, 'ACCEPT'), 'primary', 'accept-practice'),
      actionButton(t('prac.reject'), () => curate(p, 'REJECT'), null, 'reject-practice')) : null);
}

// Search and browse: words (web search syntax), topic, language and status, best match first,
// PAGE at a time with "show more" (a slow connection fetches only what is read).
function searchCard(operator, ref, status) {
  const query = h('input', { type: 'search', name: 'q', maxlength: 200, dir: 'auto' });
  const topic = h('select', { name: 'topic' }, h('option', { value: '' }, t('prac.anytopic')),
    ref.topics.map((x) => h('option', { value: x.id }, ref.topicName[x.id])));
  const lang = h('select', { name: 'language' }, h('option', { value: '' }, t('prac.anylang')),
    LANGS.map((l) => h('option', { value: l }, langName(l))));
  // Operators open on what waits for them; a State on what is published.
  const stat = h('select', { name: 'status' }, STATUS.map((s) => h('option', { value: s, selected: s === (operator ? 'SUBMITTED' : 'ACCEPTED') },
    enumText('pstatus', s))));
  const list = h('div', { class: 'practice-list' });
  const count = h('p', { class: 'muted practice-count', role: 'status' });
  const more = h('div');
  const err = h('div', { 'aria-live': 'polite' });
  let shown = [];
  let filter = null;
  const curation = writeKey();

  let generation = 0; // a search started later wins over the replies of an earlier one

  async function page(token) {
    const mine = generation;
    err.replaceChildren();
    const r = await call('practices', 'SearchPractices', { ...filter, pageSize: PAGE, pageToken: token });
    if (mine !== generation) return;
    shown = shown.concat(r.practices || []);
    if (!token) list.replaceChildren();
    const added = (r.practices || []).map((p) => practiceArticle(p, ref, operator ? curate : null));
    list.append(...added);
    // "Show more" goes with the page it fetched: keyboard and screen-reader users land on the
    // first practice it added, not at the top of the page.
    if (token && added.length) {
      added[0].tabIndex = -1;
      added[0].focus();
    }
    count.textContent = shown.length ? t('prac.count', { n: num(shown.length) }) : t('prac.none');
    more.replaceChildren(r.nextPageToken ? actionButton(t('prac.more'), async () => {
      try {
        await page(r.nextPageToken);
      } catch (e) {
        err.replaceChildren(errorBox(e));
      }
    }, null, 'more-practices') : []);
  }

  // Runs the search the form shows; `set`: values to put in the form first.
  async function run(set) {
    if (set && set.status) stat.value = set.status;
    if (set && set.query !== undefined) query.value = set.query;
    filter = { query: query.value.trim(), topic: topic.value, language: lang.value, status: stat.value };
    generation += 1;
    const mine = generation;
    shown = [];
    list.replaceChildren(loading());
    more.replaceChildren();
    try {
      await page('');
    } catch (e) {
      if (mine !== generation) return;
      list.replaceChildren();
      count.textContent = '';
      err.replaceChildren(errorBox(e));
    }
  }

  async function curate(p, decision) {
    status.replaceChildren();
    let reason = '';
    if (decision === 'REJECT') {
      const got = await askDialog(t('prac.reject.title', { title: p.title }), t('prac.reject.intro'),
        [{ name: 'reason', label: t('col.reason'), required: true }], t('prac.reject'));
      if (!got) return;
      reason = got.reason;
    }
    try {
      const body = { id: p.id, decision, reason };
      await call('practices', 'CuratePractice', { ...body, requestId: curation.for(body) });
      curation.done();
      status.replaceChildren(success(t(decision === 'ACCEPT' ? 'prac.accepted' : 'prac.rejected', { title: p.title })));
      await run();
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
  }

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('prac.search') },
    h('div', { class: 'row' },
      field(t('prac.words'), query, t('prac.words.hint')), field(t('col.topic'), topic),
      field(t('prac.language'), lang), field(t('col.status'), stat, operator ? null : t('prac.status.hint')),
      h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary', 'data-action': 'search-practices' }, t('prac.search')))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run();
  });
  const el = h('section', { class: 'card', 'aria-labelledby': 'prac-search-h' },
    h('h2', { id: 'prac-search-h' }, t('prac.browse')), form, err, count, list, more);
  return { el, run };
}

// The request_id of a write: the same while the same body is retried, a new one for another body.
function writeKey() {
  let last = null;
  let id = '';
  return {
    for(body) {
      const json = JSON.stringify(body);
      if (json !== last) {
        last = json;
        id = crypto.randomUUID();
      }
      return id;
    },
    done() {
      last = null;
    },
  };
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

// Sharing: closed behind a button until asked for, then every field the service needs; the
// page names what is missing before anything is sent.
function shareCard(ctx, operator, ref, status, shared) {
  const slot = h('div');
  const card = h('section', { class: 'card', 'aria-labelledby': 'prac-share-h' }, h('h2', { id: 'prac-share-h' }, t('prac.share')),
    h('p', null, operator ? t('prac.share.op') : t('prac.share.state', { state: ctx.who.state.name })), slot);
  const key = writeKey();
  const open = () => {
    slot.replaceChildren(form());
    slot.querySelector('input').focus();
  };
  const opener = () => h('button', { type: 'button', class: 'primary', 'data-action': 'new-practice', onclick: open }, t('prac.new'));
  slot.append(opener());

  function form() {
    const title = h('input', { type: 'text', name: 'title', maxlength: 200, dir: 'auto', 'aria-required': 'true' });
    const summary = h('textarea', { name: 'summary', rows: 3, maxlength: 2000, dir: 'auto', 'aria-required': 'true' });
    const text = h('textarea', { name: 'text', rows: 8, maxlength: 20000, dir: 'auto' });
    const link = h('input', { type: 'url', name: 'link', maxlength: 500, dir: 'ltr', placeholder: 'https://' });
    const topics = checkGroup(t('col.topics') + ' *', ref.topics.map((x) => [x.id, ref.topicName[x.id]]), []);
    topics.el.dataset.field = 'topics';
    const lang = h('select', { name: 'language' }, LANGS.map((l) => h('option', { value: l, selected: l === currentLang() }, langName(l))));
    const when = h('input', { type: 'date', name: 'date', value: today(), 'aria-required': 'true' });
    const vis = h('select', { name: 'visibility' }, ['MEMBER_STATES', 'PUBLIC'].map((v) => h('option', { value: v }, enumText('pvis', v))));
    // An operator shares for a Member State or for an organisation (UNIC, a regional body).
    const forState = operator ? h('select', { name: 'state' }, h('option', { value: '' }, t('prac.fororg')),
      ref.states.map((s) => h('option', { value: s.code }, s.name + ' (' + s.code + ')'))) : null;
    const org = operator ? h('input', { type: 'text', name: 'organisation', maxlength: 200, dir: 'auto', value: 'UNIC' }) : null;
    const err = h('div', { 'aria-live': 'assertive' });
    const f = h('form', { class: 'practice-form', novalidate: true, 'aria-labelledby': 'prac-form-h' },
      h('h3', { id: 'prac-form-h' }, t('prac.new')),
      field(t('col.title') + ' *', title), field(t('prac.summary') + ' *', summary, t('prac.summary.hint')),
      topics.el,
      h('div', { class: 'row' }, field(t('prac.language') + ' *', lang, t('prac.language.hint')), field(t('prac.date') + ' *', when),
        field(t('col.visibility'), vis, t('prac.vis.hint'))),
      operator ? h('div', { class: 'row' }, field(t('prac.forstate'), forState), field(t('prac.organisation'), org, t('prac.organisation.hint'))) : null,
      h('p', { class: 'hint' }, t('prac.textorlink')),
      field(t('prac.text'), text), field(t('prac.linkfield'), link),
      h('p', { class: 'hint' }, t('dlg.required')), err,
      h('div', { class: 'pager' }, h('button', { type: 'submit', class: 'primary', 'data-action': 'share-practice' }, t('prac.send')),
        h('button', { type: 'button', onclick: () => slot.replaceChildren(opener()) }, t('common.cancel'))));

    // What is missing, checked here in the page's language; the server checks again.
    const missing = () => {
      const chosen = topics.values();
      if (!title.value.trim()) return [title, t('dlg.missing', { what: t('col.title') })];
      if (!summary.value.trim()) return [summary, t('dlg.missing', { what: t('prac.summary') })];
      if (chosen.length < 1 || chosen.length > TOPICS_MAX) return [topics.el, t('prac.topics.count', { max: num(TOPICS_MAX) })];
      if (!when.value) return [when, t('dlg.missing', { what: t('prac.date') })];
      if (!text.value.trim() && !link.value.trim()) return [text, t('prac.textorlink')];
      if (link.value.trim() && !/^https?:\/\/\S+$/i.test(link.value.trim())) return [link, t('prac.link.bad')];
      if (operator && !forState.value && !org.value.trim()) return [org, t('dlg.missing', { what: t('prac.organisation') })];
      return null;
    };
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.replaceChildren();
      for (const el of f.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      const bad = missing();
      if (bad) {
        bad[0].setAttribute('aria-invalid', 'true');
        err.append(h('div', { class: 'error', role: 'alert' }, bad[1]));
        (bad[0].querySelector('input') || bad[0]).focus();
        return;
      }
      const practice = {
        title: title.value.trim(), summary: summary.value.trim(), topics: topics.values(), language: lang.value,
        text: text.value.trim(), link: link.value.trim(), date: when.value, visibility: vis.value,
      };
      if (operator) {
        if (forState.value) practice.stateCode = forState.value;
        else practice.organisation = org.value.trim();
      }
      const button = f.querySelector('[data-action=share-practice]');
      button.disabled = true;
      try {
        const p = await call('practices', 'SharePractice', { practice, requestId: key.for(practice) });
        key.done(); // the next practice, even the same words again, is another request
        slot.replaceChildren(opener());
        status.replaceChildren(success(t('prac.shared', { title: p.title })));
        await shared();
      } catch (e) {
        err.append(errorBox(e));
      } finally {
        button.disabled = false;
      }
    });
    return f;
  }
  return card;
}

function csvCell(v) {
  const s = String(v ?? '');
  return /[",\r\n;]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

// The compilation of a year and topic as a CSV file, every practice whole (the text included).
function compilationCsv(c, ref) {
  const head = [t('col.title'), t('col.source'), t('prac.date'), t('prac.language'), t('col.topics'), t('prac.summary'),
    t('prac.text'), t('prac.linkfield')];
  const rows = (c.practices || []).map((p) => [p.title, source(p, ref), p.date, p.language, (p.topics || []).join(' '),
    p.summary, p.text, p.link]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

// The compilation: read the latest edition of a year and topic; operators publish the next.
function compilationCard(operator, ref, status) {
  const year = h('input', { type: 'number', name: 'comp-year', min: 2000, max: 9999, value: new Date().getUTCFullYear() });
  const topic = h('select', { name: 'comp-topic' }, ref.topics.map((x) => h('option', { value: x.id }, ref.topicName[x.id])));
  const out = h('div', { class: 'compilation' });

  const ask = () => ({ year: Math.trunc(Number(year.value) || 0), topic: topic.value });
  const publication = writeKey();
  function show(c) {
    const name = ref.topicName[c.topic] || c.topic;
    const practices = c.practices || [];
    out.replaceChildren(h('h3', { id: 'comp-h' }, t('prac.comp.heading', { year: c.year, topic: name, edition: num(c.edition) })),
      h('p', { class: 'muted', role: 'status' }, t('prac.comp.published', { when: dateTime(c.publishedAt), by: c.publishedBy || '' }), ' · ',
        t('prac.count', { n: num(practices.length) })),
      practices.length ? h('p', null, h('button', {
        type: 'button', 'data-action': 'compilation-csv',
        onclick: () => download('compilation-' + c.year + '-' + c.topic + '-' + c.edition + '.csv', '\ufeff' + compilationCsv(c, ref),
          'text/csv;charset=utf-8'),
      }, t('prac.comp.csv'))) : h('p', null, t('prac.comp.empty')),
      h('div', { class: 'practice-list' }, practices.map((p) => practiceArticle(p, ref, null, 'h4'))));
  }
  async function read() {
    out.replaceChildren(loading());
    try {
      show(await call('practices', 'GetCompilation', ask()));
    } catch (e) {
      out.replaceChildren(e.code === 'not_found'
        ? h('p', { class: 'notice-box', role: 'note' }, t('prac.comp.none', { year: ask().year, topic: ref.topicName[topic.value] || topic.value }))
        : errorBox(e));
    }
  }
  const form = h('form', { class: 'filters', 'aria-labelledby': 'prac-comp-h' },
    h('div', { class: 'row' }, field(t('prac.year'), year), field(t('col.topic'), topic),
      h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary', 'data-action': 'read-compilation' }, t('prac.comp.read')))),
    operator ? h('div', { class: 'pager' }, actionButton(t('prac.comp.publish'), async () => {
      status.replaceChildren();
      try {
        const c = await call('practices', 'PublishCompilation', { ...ask(), requestId: publication.for(ask()) });
        publication.done(); // publishing again is the next edition, not a retry of this one
        status.replaceChildren(success(t('prac.comp.done', { edition: num(c.edition), n: num((c.practices || []).length) })));
        show(c);
      } catch (e) {
        status.replaceChildren(errorBox(e));
      }
    }, null, 'publish-compilation'), h('p', { class: 'hint' }, t('prac.comp.publish.hint'))) : null);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    read();
  });
  return h('section', { class: 'card', 'aria-labelledby': 'prac-comp-h' }, h('h2', { id: 'prac-comp-h' }, t('prac.comp')),
    h('p', null, t('prac.comp.lead')), form, out);
}
