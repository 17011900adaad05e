import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en, zhCN } from './messages.js';

/** The two languages of every screen; the same names as the metadata's `Locale`. */
export type Locale = 'en' | 'zh-CN';

const STORED = 'atrium.locale';

/** The language before sign-in: the last one chosen on this browser, else the browser's own. */
export function initialLocale(): Locale {
  const stored = localStorage.getItem(STORED);
  if (stored === 'en' || stored === 'zh-CN') return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** Switches UI strings and the document's `lang` (which picks the CJK font stack in CSS). */
export async function setLocale(locale: Locale): Promise<void> {
  localStorage.setItem(STORED, locale);
  document.documentElement.lang = locale;
  await i18next.changeLanguage(locale);
}

/** i18next with the app's strings (`app` namespace) and room for the renderer's (`renderer`). */
export function initI18n(extra?: { en: Record<string, string>; zhCN: Record<string, string> }) {
  const locale = initialLocale();
  document.documentElement.lang = locale;
  void i18next.use(initReactI18next).init({
    lng: locale,
    fallbackLng: 'en',
    supportedLngs: ['en', 'zh-CN'],
    ns: ['app', 'renderer'],
    defaultNS: 'app',
    // Keys contain dots; they are flat, not nested.
    keySeparator: false,
    interpolation: { escapeValue: false },
    resources: {
      en: { app: en, renderer: extra?.en ?? {} },
      'zh-CN': { app: zhCN, renderer: extra?.zhCN ?? {} },
    },
  });
  return i18next;
}
