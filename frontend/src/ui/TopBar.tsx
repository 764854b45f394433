import { useI18n } from "../i18n";
import type { Theme } from "./theme";

/** Language and theme switches, on every screen (including before sign-in). */
export function TopBar(props: { theme: Theme; onTheme: (theme: Theme) => void }) {
  const { lang, setLang, t } = useI18n();
  const other = lang === "en" ? "fr" : "en";
  const dark = props.theme === "dark";
  return (
    <header class="topbar">
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
      </div>
    </header>
  );
}
