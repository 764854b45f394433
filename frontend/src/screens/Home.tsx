import { useState } from "preact/hooks";
import { ApiError, logout, type Role, type User } from "../api";
import { useI18n, type MessageKey } from "../i18n";
import { Button, Notice } from "../ui";

interface Props {
  user: User;
  onSignedOut: () => void;
}

const ROLE_KEYS: Record<Role, MessageKey> = {
  staff: "role.staff",
  supervisor: "role.supervisor",
  analyst: "role.analyst",
  admin: "role.admin",
};

/** Placeholder for the floor board. */
export function Home({ user, onSignedOut }: Props) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);

  function roleName(role: string): string {
    const key = ROLE_KEYS[role as Role] as MessageKey | undefined;
    return key ? t(key) : role;
  }

  async function signOut() {
    setBusy(true);
    setFailure(null);
    try {
      await logout();
      onSignedOut();
      return;
    } catch (caught) {
      // A 401 is handled by the app (session already over). Anything else means the
      // session may still be open on the server: say so rather than pretend.
      if (caught instanceof ApiError && caught.status === 401) return;
      setFailure(caught instanceof ApiError ? caught : new ApiError(0, String(caught)));
    }
    setBusy(false);
  }

  return (
    <main class="screen">
      <div class="screen-head">
        <h1>{t("app.name")}</h1>
        <Button variant="secondary" busy={busy} onClick={signOut}>
          {t("home.signOut")}
        </Button>
      </div>
      {failure && (
        <Notice kind="error">
          {failure.isNetwork ? t("error.network") : t("error.server", { status: failure.status })}
        </Notice>
      )}
      <p class="lede">{t("home.signedInAs", { name: user.display_name || user.username })}</p>
      <section aria-labelledby="home-sites">
        <h2 id="home-sites">{t("home.sites")}</h2>
        {user.memberships.length === 0 ? (
          <p>{t("home.noSites")}</p>
        ) : (
          <ul class="memberships">
            {user.memberships.map((m) => (
              <li key={`${m.site}:${m.role}`}>
                <span class="membership-site">{m.site_name}</span>
                <span class="membership-role">{roleName(m.role)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <p class="placeholder">{t("home.placeholder")}</p>
    </main>
  );
}
