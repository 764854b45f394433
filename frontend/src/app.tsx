import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, me, onUnauthorized, type User } from "./api";
import { I18nProvider, useI18n, type Lang, type MessageKey } from "./i18n";
import { Home } from "./screens/Home";
import { Login } from "./screens/Login";
import { Button, Notice, TopBar, useTheme } from "./ui";

type View =
  | { kind: "loading" }
  | { kind: "unavailable"; failure: ApiError }
  | { kind: "login"; notice?: MessageKey }
  | { kind: "home"; user: User };

function Shell() {
  const { t } = useI18n();
  const [theme, setTheme] = useTheme();
  const [view, setView] = useState<View>({ kind: "loading" });
  const viewRef = useRef(view);
  viewRef.current = view;

  const load = useCallback(async () => {
    setView({ kind: "loading" });
    try {
      setView({ kind: "home", user: await me() });
    } catch (caught) {
      const failure = caught instanceof ApiError ? caught : new ApiError(0, String(caught));
      if (failure.status === 401 || failure.status === 403) {
        setView({ kind: "login" });
      } else {
        setView({ kind: "unavailable", failure });
      }
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // Tablets are shared: when the server says the session is over, drop the user's data
  // from the screen at once.
  useEffect(
    () =>
      onUnauthorized(() => {
        if (viewRef.current.kind === "home") setView({ kind: "login", notice: "session.ended" });
      }),
    [],
  );

  return (
    <div class="app">
      <TopBar theme={theme} onTheme={setTheme} />
      {view.kind === "loading" && (
        <main class="screen screen-narrow" aria-busy="true">
          <p class="lede">{t("app.loading")}</p>
        </main>
      )}
      {view.kind === "unavailable" && (
        <main class="screen screen-narrow">
          <h1>{t("app.name")}</h1>
          <Notice kind="error">
            {view.failure.isNetwork
              ? t("error.network")
              : t("error.server", { status: view.failure.status })}
          </Notice>
          <Button variant="primary" onClick={() => void load()}>
            {t("error.retry")}
          </Button>
        </main>
      )}
      {view.kind === "login" && (
        <Login notice={view.notice} onSignedIn={(user) => setView({ kind: "home", user })} />
      )}
      {view.kind === "home" && (
        <Home user={view.user} onSignedOut={() => setView({ kind: "login" })} />
      )}
    </div>
  );
}

export function App(props: { lang?: Lang }) {
  return (
    <I18nProvider {...(props.lang ? { lang: props.lang } : {})}>
      <Shell />
    </I18nProvider>
  );
}
