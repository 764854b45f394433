import type { Site, User } from "../api";
import { useI18n, type MessageKey } from "../i18n";

const ROLE_KEYS: Record<string, MessageKey> = {
  staff: "role.staff",
  supervisor: "role.supervisor",
  analyst: "role.analyst",
  admin: "role.admin",
};

/** For a user who works at several sites: which floor this tablet is on. */
export function SitePicker({
  user,
  sites,
  onPick,
}: {
  user: User;
  sites: Site[];
  onPick: (slug: string) => void;
}) {
  const { t } = useI18n();
  return (
    <main class="screen" aria-labelledby="sites-title">
      <h1 id="sites-title">{t("sites.title")}</h1>
      <p class="lede">{t("home.signedInAs", { name: user.display_name || user.username })}</p>
      <ul class="memberships">
        {user.memberships.map((m) => {
          const site = sites.find((s) => s.slug === m.site);
          const role = ROLE_KEYS[m.role];
          return (
            <li key={m.site}>
              <button
                type="button"
                class="site-pick"
                disabled={!site}
                onClick={() => onPick(m.site)}
              >
                <span class="membership-site">{m.site_name}</span>
                <span class="membership-role">{role ? t(role) : m.role}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </main>
  );
}
