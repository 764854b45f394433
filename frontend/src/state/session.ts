import type { User } from "../api";

/**
 * Who is signed in on this tablet, kept so the floor still opens when the Wi-Fi is down.
 * It holds the username and site memberships only, never a record; signing out removes it.
 */
const USER_KEY = "vigil.user";
const SITE_KEY = "vigil.site";
const LOCKED_KEY = "vigil.locked";

export function rememberedUser(): User | null {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as User) : null;
  } catch {
    return null;
  }
}

export function rememberUser(user: User | null): void {
  try {
    if (user) localStorage.setItem(USER_KEY, JSON.stringify(user));
    else localStorage.removeItem(USER_KEY);
  } catch {
    // Storage blocked: the app still works online.
  }
}

/** The site chosen on this tablet, if the user is still a member of it. */
export function chosenSite(user: User): string | null {
  const sites = user.memberships.map((m) => m.site);
  if (sites.length === 1) return sites[0] ?? null;
  try {
    const saved = localStorage.getItem(SITE_KEY);
    return saved && sites.includes(saved) ? saved : null;
  } catch {
    return null;
  }
}

export function chooseSite(slug: string | null): void {
  try {
    if (slug) localStorage.setItem(SITE_KEY, slug);
    else localStorage.removeItem(SITE_KEY);
  } catch {
    // Not remembered; still chosen for this page.
  }
}

/**
 * The screen locked (idle time, or the session ended): until someone signs in again, a reload
 * with no network must not open the floor for the remembered user.
 */
export function setLocked(locked: boolean): void {
  try {
    if (locked) localStorage.setItem(LOCKED_KEY, "1");
    else localStorage.removeItem(LOCKED_KEY);
  } catch {
    // Storage blocked: nothing is remembered either, so nothing opens offline.
  }
}

export function isLocked(): boolean {
  try {
    return localStorage.getItem(LOCKED_KEY) !== null;
  } catch {
    return true;
  }
}
