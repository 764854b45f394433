import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "./i18n";
import { Button, Notice } from "./ui";

/**
 * A screen loaded on first use, so that the floor's own code loads first and alone. The
 * service worker keeps every chunk (frontend/sw.js), so an offline tablet opens these too.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  function LazyScreen(props: P) {
    const { t } = useI18n();
    const [Screen, setScreen] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      if (Screen) return undefined;
      let live = true;
      load()
        .then((found) => {
          loaded = found;
          if (live) setScreen(() => found);
        })
        .catch(() => {
          if (live) setFailed(true);
        });
      return () => {
        live = false;
      };
    }, [attempt]);
    if (Screen) return <Screen {...props} />;
    return (
      <main class="screen screen-narrow" aria-busy={failed ? "false" : "true"}>
        {failed ? (
          <>
            <Notice kind="error">{t("error.network")}</Notice>
            <Button
              variant="primary"
              onClick={() => {
                setFailed(false);
                setAttempt(attempt + 1);
              }}
            >
              {t("error.retry")}
            </Button>
          </>
        ) : (
          <p class="lede">{t("app.loading")}</p>
        )}
      </main>
    );
  }
  return LazyScreen;
}
