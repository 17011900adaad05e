import { ClientError } from '@atrium/renderer/client';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Locale, setLocale } from '../i18n.js';
import { useSession } from '../session.js';

type Errors = { email?: string; password?: string; form?: string };

/** E-mail, password and the language switch; errors sit under the field they are about. */
export function SignInPage() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const { next } = useSearch({ from: '/sign-in' });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [chosen, setChosen] = useState<Locale | null>(null);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Errors = {};
    if (email.trim() === '') missing.email = t('signIn.required', { field: t('signIn.email') });
    if (password === '') missing.password = t('signIn.required', { field: t('signIn.password') });
    setErrors(missing);
    if (missing.email || missing.password) return;
    setBusy(true);
    try {
      const { token, refreshToken, user } = await session.api.login(email.trim(), password);
      await session.signIn(token, user, chosen ?? undefined, refreshToken);
      await navigate({
        to: next?.startsWith('/') && !next.startsWith('/sign-in') ? next : '/',
      });
    } catch (e) {
      if (e instanceof ClientError && e.status === 401) {
        setErrors({ password: e.message });
      } else {
        setErrors({ form: t('signIn.failed', { message: (e as Error).message }) });
      }
    } finally {
      setBusy(false);
    }
  };

  const field = (name: 'email' | 'password') => ({
    id: `${id}-${name}`,
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': errors[name] ? `${id}-${name}-error` : undefined,
  });

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
        <div className="row-between">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              A
            </span>
            {t('app.name')}
          </div>
          <div className="field" style={{ width: 'auto' }}>
            <label htmlFor={`${id}-lang`} className="visually-hidden">
              {t('signIn.language')}
            </label>
            <select
              id={`${id}-lang`}
              value={i18n.language}
              onChange={(e) => {
                const locale = e.target.value as Locale;
                setChosen(locale);
                void setLocale(locale);
              }}
            >
              <option value="en" lang="en">
                English
              </option>
              <option value="zh-CN" lang="zh-CN">
                简体中文
              </option>
            </select>
          </div>
        </div>
        <h1 id={`${id}-title`}>{t('signIn.title')}</h1>
        {errors.form && (
          <p className="form-error" role="alert">
            {errors.form}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-email`}>{t('signIn.email')}</label>
          <input
            {...field('email')}
            name="email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          {errors.email && (
            <span className="field-error" id={`${id}-email-error`}>
              {errors.email}
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>{t('signIn.password')}</label>
          <input
            {...field('password')}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {errors.password && (
            <span className="field-error" id={`${id}-password-error`}>
              {errors.password}
            </span>
          )}
        </div>
        <button className="button primary" type="submit" disabled={busy}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
