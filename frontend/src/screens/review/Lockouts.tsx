import { useEffect, useState } from "preact/hooks";
import { api, call, type Site } from "../../api";
import { useI18n } from "../../i18n";
import { Button, Notice } from "../../ui";
import { siteDateTime } from "./format";

interface Lockout {
  username: string;
  display_name: string;
  locked_until: string;
}

/**
 * Members of the site locked out of signing in after repeated failures (on every tablet that
 * shares the site's address), each with a button that lifts the lockout. Nothing when nobody is.
 */
export function Lockouts({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const [locked, setLocked] = useState<Lockout[]>([]);
  const [lifted, setLifted] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    call(api.GET("/api/v1/sites/{slug}/lockouts", { params: { path: { slug: site.slug } } }))
      .then((found) => {
        if (live) setLocked(found.results);
      })
      .catch(() => undefined); // the queue below reports a broken connection
    return () => {
      live = false;
    };
  }, [site.slug]);

  async function lift(lockout: Lockout) {
    setBusy(lockout.username);
    try {
      const { response } = await api.POST("/api/v1/sites/{slug}/lockouts/{username}/lift", {
        params: { path: { slug: site.slug, username: lockout.username } },
      });
      if (response.ok) {
        setLocked((now) => now.filter((x) => x.username !== lockout.username));
        setLifted(lockout.display_name);
      }
    } finally {
      setBusy(null);
    }
  }

  if (locked.length === 0 && !lifted) return null;
  return (
    <section class="panel lockouts" aria-labelledby="lockouts-title">
      {locked.length > 0 && (
        <>
          <h2 id="lockouts-title">{t("lockouts.title")}</h2>
          <ul class="lockouts-list">
            {locked.map((lockout) => (
              <li key={lockout.username}>
                <span>
                  {t("lockouts.until", {
                    name: lockout.display_name,
                    username: lockout.username,
                    time: siteDateTime(lockout.locked_until, site, lang),
                  })}
                </span>
                <Button busy={busy === lockout.username} onClick={() => void lift(lockout)}>
                  {t("lockouts.lift", { name: lockout.display_name })}
                </Button>
              </li>
            ))}
          </ul>
        </>
      )}
      {lifted && <Notice kind="info">{t("lockouts.lifted", { name: lifted })}</Notice>}
    </section>
  );
}
