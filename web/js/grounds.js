// grounds.js: why a match was made, and why a need was left unmet, in the reader's language:
// the sentences are composed here from the facts the matching service gives with each match and
// unmet request (MatchGrounds, UnmetGrounds: docs/matching-model.md), with the messages of
// i18n.js and Intl's numbers, dates, plurals, lists and language names. A match or plan made
// before those facts were recorded has only the service's English sentence: it is shown as it
// is, marked lang="en". For a reader who may not see the recipient's figures the service says
// only that the words are coarsened, and so do these.
import { h } from './dom.js';
import { t, num, date, langName, currentLang, topicName, regionName } from './i18n.js';
import { enumText } from './ui.js';

const KINDS = new Set(['EXPERTISE', 'FUNDS', 'EQUIPMENT', 'TRAINING']);
const ELIGIBILITY = {
  ELIGIBLE_OPEN_TO_ALL: 'ALL', ELIGIBLE_NAMED: 'NAMED', ELIGIBLE_BY_REGION: 'REGION', ELIGIBLE_BY_GROUP: 'GROUP',
};
const REASONS = new Set(['NO_COMPATIBLE_OFFER', 'CAPACITY_EXHAUSTED']);

// Codes, ids and English names inside a right-to-left sentence, isolated so that their letters
// and hyphens do not reorder the words around them.
function iso(s) {
  return document.documentElement.dir === 'rtl' ? '\u2068' + s + '\u2069' : String(s);
}

// A name inside a sentence, in the language's quotation marks.
function quoted(s) {
  const marks = { fr: ['« ', ' »'], ru: ['«', '»'], es: ['«', '»'], ar: ['«', '»'] }[currentLang()] || ['“', '”'];
  return marks[0] + s + marks[1];
}

function sentences(parts) {
  return parts.filter(Boolean).join(currentLang() === 'zh' ? '' : ' ');
}

function list(items, type) {
  try {
    return new Intl.ListFormat(currentLang(), { type }).format(items);
  } catch {
    return items.join(', ');
  }
}

// "40 expert-days of expertise", with the noun in the form the number asks for in the language.
function amount(kind, n) {
  if (!KINDS.has(kind)) return num(n);
  const form = new Intl.PluralRules(currentLang()).select(Number(n) || 0);
  return t('match.why.amount.' + kind + '.' + form, { n: num(n) });
}

function severity(milli) {
  const f = new Intl.NumberFormat(currentLang(), { minimumFractionDigits: 1, maximumFractionDigits: 3 });
  return milli > 0 ? t('match.why.severity', { value: f.format(milli / 1000) })
    : t('match.why.severity.none', { value: f.format(1) });
}

function groupName(g) {
  const key = 'grp.name.' + g;
  const name = t(key);
  return name === key ? iso(g) : name;
}

// The sentence of match m in the page's language, or null when m has no grounds.
export function matchWhyText(m) {
  const g = m.grounds;
  if (!g) return null;
  const recipient = iso(m.recipientState), topic = iso(topicName(m.topic));
  if (g.coarsened) return t('match.why.coarsened', { recipient, topic });
  const milli = Number(g.severityMilli) || 0;
  const langs = g.sharedLanguages || [];
  const how = ELIGIBILITY[g.eligibility];
  const on = date(g.asOf);
  return sentences([
    t(g.questionId ? 'match.why.gap' : 'match.why.request', {
      recipient, question: iso(g.questionId || ''), severity: severity(milli), topic, donor: iso(m.donorState),
      amount: amount(m.kind, m.quantity),
    }),
    langs.length ? t(langs.length > 1 ? 'match.why.lang.many' : 'match.why.lang.one', { languages: list(langs.map(langName), 'conjunction') })
      : t('match.why.lang.none'),
    how ? t('match.why.elig.' + how, { recipient, region: iso(regionName(g.eligibleBy || '')), group: groupName(g.eligibleBy || ''), date: on }) : '',
    g.ldcPriority ? t('match.why.ldc', { date: on, factor: num(1.5, 1) }) : '',
  ]);
}

// Why match m was made, as a node for a table cell or a definition.
export function matchWhy(m) {
  const text = matchWhyText(m);
  if (text === null) return h('span', { lang: 'en', dir: 'ltr' }, m.explanation || '');
  return h('span', { 'data-grounds': m.grounds.coarsened ? 'coarsened' : 'full' }, text);
}

// The reason unmet request u of a plan is left (partly) open, in the page's language, or null
// when u has no grounds.
export function unmetWhyText(u) {
  const gr = u.grounds;
  if (!gr || !REASONS.has(gr.reason)) return null;
  if (gr.coarsened) return t('match.why.unmet.short.' + gr.reason);
  if (gr.reason === 'NO_COMPATIBLE_OFFER') {
    return t('match.why.unmet.NO_COMPATIBLE_OFFER', {
      kind: enumText('kind', gr.kind), topics: list((gr.topics || []).map((x) => iso(quoted(topicName(x)))), 'disjunction'), state: iso(u.stateCode),
      date: date(gr.asOf),
    });
  }
  return t('match.why.unmet.CAPACITY_EXHAUSTED', { amount: amount(gr.kind, u.remaining) });
}

export function unmetWhy(u) {
  const text = unmetWhyText(u);
  if (text === null) return h('span', { lang: 'en', dir: 'ltr' }, u.reason || '');
  return h('span', { 'data-grounds': u.grounds.coarsened ? 'coarsened' : 'full' }, text);
}
