// app.js: the portal's shell: language, session (who the key stands for, from the server's
// WhoAmI), navigation by role, and a hash router that loads each screen's module only when it
// is opened, so the sign-in page downloads nothing it does not show.
import { call, getKey, clearKey, ApiError } from './api.js';
import { h, clear } from './dom.js';
import { LANGS, pickLang, setLang, t, currentLang } from './i18n.js';
import { errorBox, loading } from './ui.js';

const STATE = 'ROLE_STATE';
const OPERATOR = 'ROLE_OPERATOR';

// route -> [module, roles allowed, nav label key or null, roles whose menu shows it, who else
// must be true of the caller (a State's key: its administrator)]
const ROUTES = {
  signin: ['./views/signin.js', null, null],
  dashboard: ['./views/dashboard.js', [STATE], 'nav.dashboard'],
  assessment: ['./views/questionnaire.js', [STATE, OPERATOR], null],
  history: ['./views/history.js', [STATE, OPERATOR], null],
  revision: ['./views/history.js', [STATE, OPERATOR], null],
  files: ['./views/files.js', [STATE, OPERATOR], null],
  scorecard: ['./views/scorecard.js', [STATE, OPERATOR], null],
  compliance: ['./views/compliance.js', [STATE, OPERATOR], 'nav.compliance', [STATE]], // operators: from the States table
  capacity: ['./views/capacity.js', [STATE], 'nav.capacity'],
  offers: ['./views/offers.js', [STATE], 'nav.offers'],
  states: ['./views/states.js', [OPERATOR], 'nav.states'],
  plan: ['./views/plan.js', [OPERATOR], 'nav.plan'],
  matches: ['./views/matches.js', [OPERATOR], 'nav.matches'],
  match: ['./views/match.js', [STATE, OPERATOR], null],
  impact: ['./views/impact.js', [STATE, OPERATOR], 'nav.impact'],
  settings: ['./views/settings.js', [STATE], 'nav.settings'],
  notifications: ['./views/notifications.js', [STATE, OPERATOR], 'nav.notifications'],
  directory: ['./views/directory.js', [STATE, OPERATOR], 'nav.directory'],
  groups: ['./views/groups.js', [STATE, OPERATOR], 'nav.groups'],
  practices: ['./views/practices.js', [STATE, OPERATOR], 'nav.practices'],
  keys: ['./views/keys.js', [OPERATOR, STATE], 'nav.keys', null, (who) => who.role === OPERATOR || who.stateAdmin],
};
const HOME = { [STATE]: 'dashboard', [OPERATOR]: 'states' };

export const session = { who: null };

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || '', args: parts.slice(1) };
}

export function go(name, ...args) {
  const hash = '#/' + [name, ...args].map(encodeURIComponent).join('/');
  if (location.hash === hash) route();
  else location.hash = hash;
}

export function signedIn(who) {
  session.who = who;
  drawChrome();
  go(HOME[who.role]);
}

export function signOut() {
  clearKey();
  sessionStorage.clear(); // the uploads under way (views/evidence.js) were the session's too
  session.who = null;
  drawChrome();
  go('signin');
}

function drawChrome() {
  document.getElementById('brand-name').textContent = t('app.name');
  document.getElementById('lang-label').textContent = t('app.language');
  document.getElementById('skip-link').textContent = t('app.skip');
  document.getElementById('foot').textContent = t('app.footer');
  const out = document.getElementById('signout');
  out.textContent = t('app.signout');
  const whoEl = document.getElementById('whoami');
  const nav = document.getElementById('nav');
  clear(nav);
  clear(whoEl);
  const who = session.who;
  out.hidden = !who;
  nav.hidden = !who;
  if (!who) return;
  nav.setAttribute('aria-label', t('nav.label'));
  whoEl.append(who.role === STATE
    ? t('who.state', { state: who.state.name, code: who.state.code })
    : t('who.operator'));
  whoEl.append(h('span', { class: 'keyid' }, ' · ' + t('who.key', { id: who.keyId || '' })));
  const current = parseHash().name;
  const list = h('ul');
  for (const [name, [, roles, label, menu, also]] of Object.entries(ROUTES)) {
    if (!label || !(menu || roles).includes(who.role) || (also && !also(who))) continue;
    list.append(h('li', null, h('a', { href: '#/' + name, 'aria-current': name === current ? 'page' : null }, t(label))));
  }
  nav.append(list);
}

// Which navigation is the latest: route() numbers each one. A screen can take long to draw (its
// data on a slow connection) and route() can run again meanwhile (another link, the language
// changed); what the older one finishes must not reach the page.
let navigation = 0;

async function route() {
  const main = document.getElementById('main');
  const nav = ++navigation;
  const { name, args } = parseHash();
  if (!session.who) {
    if (name !== 'signin') return go('signin');
  } else if (!name || name === 'signin') {
    return go(HOME[session.who.role]);
  }
  drawChrome();
  main.dataset.screen = '';
  const entry = ROUTES[name];
  if (!entry) {
    document.title = t('error.noscreen') + ' · UNIC';
    clear(main).append(h('h1', { tabindex: '-1' }, t('error.noscreen')));
    return;
  }
  const [module, roles, , , also] = entry;
  if ((roles && !roles.includes(session.who.role)) || (also && !also(session.who))) {
    document.title = t('error.role') + ' · UNIC';
    clear(main).append(h('h1', { tabindex: '-1' }, t('error.role')));
    return;
  }
  // The screen draws into a box of its own, and the next navigation takes that box out of the
  // page: a render still under way then writes only into a detached box, and ui.js screen()
  // leaves the title and the focus alone for a box no longer in the page. No view needs code of
  // its own for this.
  const box = h('div', { class: 'screen' }, loading());
  clear(main).append(box);
  try {
    const view = await import(module);
    await view.render(box, { who: session.who, name, args });
    if (nav === navigation) main.dataset.screen = name; // rendered: the browser tests wait for this
  } catch (err) {
    if (nav !== navigation) return; // a screen no longer on show: its failure is not the page's
    if (err instanceof ApiError && err.code === 'unauthenticated') return signOut();
    clear(box).append(errorBox(err));
  }
}

// Re-reads who the stored key stands for (after a reload); a key the server no longer accepts
// ends the session.
async function resume() {
  if (!getKey()) return;
  try {
    const who = await call('catalog', 'WhoAmI', {});
    if (who.role === STATE || who.role === OPERATOR) session.who = who;
    else clearKey();
  } catch (err) {
    if (err instanceof ApiError && (err.code === 'unauthenticated' || err.code === 'permission_denied')) clearKey();
    else throw err;
  }
}

async function start() {
  const select = document.getElementById('lang');
  await setLang(pickLang(), false);
  select.value = currentLang();
  select.addEventListener('change', async () => {
    if (!LANGS.includes(select.value)) return;
    if (await setLang(select.value, true)) route(); // false: a language chosen since came first
  });
  document.getElementById('signout').addEventListener('click', signOut);
  window.addEventListener('hashchange', route);
  try {
    await resume();
  } catch (err) {
    clear(document.getElementById('main')).append(errorBox(err));
    return;
  }
  route();
}

start();
