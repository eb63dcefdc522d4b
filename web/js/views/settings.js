// settings.js: a State's settings: the time zone it meets its deadlines in (SetStateTimeZone,
// docs/calendar.md): every "days left" and every compliance report is counted there. By default
// the capital's; a State whose administration keeps another zone chooses it here.
import { call } from '../api.js';
import { h, field } from '../dom.js';
import { t, currentLang } from '../i18n.js';
import { screen, errorBox, success, actionButton } from '../ui.js';

function nowIn(zone) {
  try {
    return new Intl.DateTimeFormat(currentLang(), { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(new Date());
  } catch {
    return '';
  }
}

export async function render(main, ctx) {
  const who = await call('catalog', 'WhoAmI', {});
  let st = who.state;
  screen(main, t('set.title'), h('p', null, t('set.intro')));
  const status = h('div', { 'aria-live': 'polite' });
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  for (const z of [st.timeZone, st.capitalTimeZone]) if (z && !zones.includes(z)) zones.push(z);
  zones.sort();
  const select = h('select', { name: 'timezone', dir: 'ltr' }, zones.map((z) => h('option', { value: z, selected: z === st.timeZone }, z)));
  const current = h('p', { class: 'zone-now' });
  const show = () => current.replaceChildren(t('set.zone.now', { zone: st.timeZone, time: nowIn(st.timeZone) }), ' ',
    st.timeZone === st.capitalTimeZone ? t('set.zone.iscapital') : t('set.zone.chosen', { capital: st.capitalTimeZone }));
  show();
  const save = async (zone) => {
    status.replaceChildren();
    try {
      st = await call('catalog', 'SetStateTimeZone', { timeZone: zone, requestId: crypto.randomUUID() });
      ctx.who.state = st;
      select.value = st.timeZone;
      show();
      status.append(success(t('set.saved', { zone: st.timeZone })));
    } catch (err) {
      status.append(errorBox(err));
    }
  };
  const form = h('form', { class: 'card', 'aria-labelledby': 'zone-h' },
    h('h2', { id: 'zone-h' }, t('set.zone')), current,
    field(t('set.zone.choose'), select, t('set.zone.hint', { capital: st.capitalTimeZone })),
    h('p', { class: 'hint' }, t('set.zone.delay')),
    h('div', { class: 'pager' },
      h('button', { type: 'submit', class: 'primary', 'data-action': 'save-zone' }, t('set.zone.save')),
      actionButton(t('set.zone.capital'), () => save(''), null, 'zone-capital')),
    status);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    return save(select.value);
  });
  main.append(form);
}
