// i18n.js: the interface in the six official languages of the United Nations. Strings come from
// messages/<lang>.json (one file per language, the same keys: tests/portal/test_messages.py);
// numbers and dates are formatted by Intl for the language. The choice is remembered in
// localStorage (a language is not a secret; the key never goes there).

export const LANGS = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];
const RTL = new Set(['ar']);
const SLOT = 'unic.lang';

let lang = 'en';
let messages = {};

export function pickLang() {
  const saved = localStorage.getItem(SLOT);
  if (LANGS.includes(saved)) return saved;
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (LANGS.includes(primary)) return primary;
  }
  return 'en';
}

let loads = 0;

// Loads and applies a language -> true; false when another setLang began while this one's
// messages were on the way (the user chose again): only the latest choice is applied.
export async function setLang(next, remember) {
  const mine = ++loads;
  const res = await fetch('/messages/' + next + '.json');
  if (!res.ok) throw new Error('could not load the ' + next + ' messages: HTTP ' + res.status);
  const loaded = await res.json();
  if (mine !== loads) return false;
  messages = loaded;
  lang = next;
  if (remember) localStorage.setItem(SLOT, next);
  document.documentElement.lang = next;
  document.documentElement.dir = RTL.has(next) ? 'rtl' : 'ltr';
  return true;
}

export function currentLang() {
  return lang;
}

// t('dash.due.text', {year: 2026, deadline: ...}) -> the message with {year} replaced; a missing key shows itself,
// which the completeness test prevents from ever reaching a user.
export function t(key, params) {
  let s = messages[key] ?? key;
  if (params) for (const [k, v] of Object.entries(params)) s = s.split('{' + k + '}').join(String(v));
  return s;
}

// A text the platform writes as a code and its arguments (a compliance note, say): the message
// `prefix + code` in the chosen language, {0}, {1}... standing for args; null when this portal has
// no such message (a code newer than the portal), so that the caller shows the server's English.
export function coded(prefix, code, args) {
  const key = prefix + (code || '');
  return code && Object.prototype.hasOwnProperty.call(messages, key) ? t(key, args || []) : null;
}

// A topic's name (the catalog's topic ids: services/catalog/sql/002_topics.sql) and an M49
// region's (the catalog's English names of States' regions and sub-regions) in the chosen
// language: messages "topic.<id>" and "region.<name in lower case, hyphens for the rest>"; the
// catalog's English (`fallback`, else the id or name itself) for one this portal has no words for.
export function topicName(id, fallback) {
  if (!id) return '';
  const key = 'topic.' + id;
  return Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : (fallback || id);
}

export function regionName(name) {
  if (!name) return '';
  const key = 'region.' + String(name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : name;
}

export function num(n, digits = 0) {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(n) || 0);
}

export function pct(share) {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(Number(share) || 0);
}

// "YYYY-MM-DD" (a calendar date, shown as such) or an RFC 3339 instant.
export function date(s) {
  if (!s) return '';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(s + 'T00:00:00Z') : new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

export function dateTime(s) {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

// Whether a text the catalog served in `served` is the language asked for.
export function isFallback(served) {
  return Boolean(served) && String(served).toLowerCase().split('-')[0] !== lang;
}

export function langName(code) {
  try {
    return new Intl.DisplayNames([lang], { type: 'language' }).of(code) || code;
  } catch {
    return code;
  }
}
