import type { ComponentChildren } from "preact";
import { useI18n } from "../i18n";
import type { Theme } from "./theme";

/** Language and theme switches on every screen (before sign-in too), and the session's own. */
export function TopBar(props: {
  theme: Theme;
  onTheme: (theme: Theme) => void;
  children?: ComponentChildren;
}) {
  const { lang, setLang, t } = useI18n();
  const other = lang === "en" ? "fr" : "en";
  const dark = props.theme === "dark";
  return (
    <header class="topbar">
      <span class="topbar-name">{t("app.name")}</span>
      <div class="topbar-actions">
        <button type="button" class="btn btn-quiet" lang={other} onClick={() => setLang(other)}>
          {t("prefs.language.switch")}
        </button>
        <button
          type="button"
          class="btn btn-quiet"
          aria-pressed={dark ? "true" : "false"}
          onClick={() => props.onTheme(dark ? "light" : "dark")}
        >
          <span class="toggle-mark" aria-hidden="true">
            {dark ? "●" : "○"}
          </span>
          {t("prefs.theme.dark")}
        </button>
        {props.children}
      </div>
    </header>
  );
}
