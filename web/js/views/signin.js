// signin.js: the delegation's key in, who it stands for out (WhoAmI). The key goes to
// sessionStorage only after the server accepted it.
import { call, setKey, ApiError } from '../api.js';
import { h, field } from '../dom.js';
import { t } from '../i18n.js';
import { screen, errorBox } from '../ui.js';
import { signedIn } from '../app.js';

export async function render(main) {
  screen(main, t('signin.title'));
  const input = h('input', {
    type: 'password', name: 'key', autocomplete: 'current-password', required: true,
    spellcheck: 'false', autocapitalize: 'off', dir: 'ltr', class: 'key-input',
  });
  const status = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary', 'data-action': 'signin' }, t('signin.submit'));
  const form = h('form', { class: 'card signin', novalidate: true },
    h('p', null, t('signin.intro')),
    field(t('signin.key'), input, t('signin.keyhint')),
    button, status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    const key = input.value.trim();
    if (!key) {
      status.append(errorBox({ code: 'signin_empty', message: '' }));
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      const who = await call('catalog', 'WhoAmI', {}, { key });
      if (who.role !== 'ROLE_STATE' && who.role !== 'ROLE_OPERATOR') {
        status.append(errorBox({ code: 'signin_role', message: '' }));
        return;
      }
      setKey(key);
      input.value = '';
      signedIn(who);
    } catch (err) {
      status.append(errorBox(err instanceof ApiError && err.code === 'unauthenticated'
        ? { code: 'signin_bad', message: '' } : err));
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  main.append(form, h('p', { class: 'hint' }, t('signin.about')));
}
