import { createContext, type ComponentChildren } from "preact";
import { useCallback, useContext, useEffect, useMemo, useState } from "preact/hooks";
import { en, type MessageKey } from "./en";
import { fr } from "./fr";

export type { MessageKey } from "./en";

export const catalogues: Record<Lang, Record<MessageKey, string>> = { en, fr };
export type Lang = "en" | "fr";
export const LANGS: readonly Lang[] = ["en", "fr"];

const STORAGE_KEY = "vigil.lang";
/** Read by Django's LocaleMiddleware (settings.LANGUAGE_COOKIE_NAME). */
const LANG_COOKIE = "vigil_lang";

export type Params = Record<string, string | number>;

/** Looks a message up and fills `{name}` placeholders. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const template = catalogues[lang][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGS as readonly string[]).includes(value);
}

/** The remembered choice, else the browser's language, else English. */
export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLang(saved)) return saved;
  } catch {
    // Storage can be blocked; fall through.
  }
  const browser = typeof navigator === "undefined" ? "" : navigator.language.slice(0, 2);
  return isLang(browser) ? browser : "en";
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, params?: Params) => string;
}

const I18nContext = createContext<I18n>({
  lang: "en",
  setLang: () => undefined,
  t: (key, params) => translate("en", key, params),
});

export function I18nProvider(props: { lang?: Lang; children: ComponentChildren }) {
  const [lang, setLangState] = useState<Lang>(() => props.lang ?? initialLang());

  useEffect(() => {
    document.documentElement.lang = lang;
    // Every request carries it (the outbox's too): the API's messages come in this language.
    document.cookie = `${LANG_COOKIE}=${lang}; path=/; max-age=31536000; SameSite=Lax`;
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered; still switched for this page.
    }
  }, []);

  const value = useMemo<I18n>(
    () => ({ lang, setLang, t: (key, params) => translate(lang, key, params) }),
    [lang, setLang],
  );

  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
