import type { ComponentType } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, logout, me, onUnauthorized, type Role, type Site, type User } from "./api";
import { I18nProvider, useI18n, type Lang, type MessageKey } from "./i18n";
import { setUser, startOutbox } from "./outbox";
import { CheckIn } from "./screens/floor/CheckIn";
import { Floor } from "./screens/floor/Floor";
import { OutboxBar } from "./screens/floor/OutboxBar";
import { MyIncidents } from "./screens/floor/MyIncidents";
import { OutboxScreen } from "./screens/floor/OutboxScreen";
import { Recorder } from "./screens/floor/Recorder";
import { ReferralForm } from "./screens/floor/ReferralForm";
import { ServiceForm } from "./screens/floor/ServiceForm";
import { Login } from "./screens/Login";
import { SitePicker } from "./screens/SitePicker";
import { TurnAway } from "./screens/floor/TurnAway";
import { forgetSites, useOutbox, useSites } from "./state/hooks";
import { useRoute, type Route } from "./state/route";
import {
  chooseSite,
  chosenSite,
  isLocked,
  rememberUser,
  rememberedUser,
  setLocked,
} from "./state/session";
import { Button, Notice, TopBar, useTheme } from "./ui";
import { lazyScreen } from "./lazy";

// Supervisors' and analysts' screens load on first use: the floor loads first, and alone.
const AlertsScreen = lazyScreen(() => import("./screens/alerts/AlertsScreen").then((m) => m.AlertsScreen));
const ParticipantsScreen = lazyScreen(() => import("./screens/participants/ParticipantsScreen").then((m) => m.ParticipantsScreen));
const ReportsScreen = lazyScreen(() => import("./screens/reports/ReportsScreen").then((m) => m.ReportsScreen));
const IncidentReview = lazyScreen(() => import("./screens/review/IncidentReview").then((m) => m.IncidentReview));
const Debriefs = lazyScreen(() => import("./screens/review/Debriefs").then((m) => m.Debriefs));
const ReviewQueue = lazyScreen(() => import("./screens/review/ReviewQueue").then((m) => m.ReviewQueue));
const ComplaintsScreen = lazyScreen(() => import("./screens/safety/ComplaintsScreen").then((m) => m.ComplaintsScreen));
const Poster = lazyScreen(() => import("./screens/safety/Poster").then((m) => m.Poster));
const RestrictionsScreen = lazyScreen(() => import("./screens/safety/RestrictionsScreen").then((m) => m.RestrictionsScreen));
const ShiftCheck = lazyScreen(() => import("./screens/stock/ShiftCheck").then((m) => m.ShiftCheck));
const StockScreen = lazyScreen(() => import("./screens/stock/StockScreen").then((m) => m.StockScreen));

type View =
  | { kind: "loading" }
  | { kind: "unavailable"; failure: ApiError }
  | { kind: "login"; notice?: MessageKey }
  | { kind: "signed-in"; user: User };

const DEFAULT_IDLE_MINUTES = 15;

/** Locks the screen after the idle time: tablets are shared, and left on the counter. */
function useIdleLock(active: boolean, minutes: number, onIdle: () => void): void {
  const last = useRef(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    last.current = Date.now();
    const touch = () => {
      last.current = Date.now();
    };
    const events = ["pointerdown", "keydown"] as const;
    for (const name of events) addEventListener(name, touch, { passive: true });
    const timer = setInterval(() => {
      if (Date.now() - last.current >= minutes * 60_000) onIdle();
    }, 5_000);
    return () => {
      for (const name of events) removeEventListener(name, touch);
      clearInterval(timer);
    };
  }, [active, minutes, onIdle]);
}

function Shell() {
  const { t } = useI18n();
  const [theme, setTheme] = useTheme();
  const [view, setView] = useState<View>({ kind: "loading" });
  const viewRef = useRef(view);
  viewRef.current = view;

  const signedIn = useCallback((user: User) => {
    rememberUser(user);
    setLocked(false);
    setUser(user.username);
    setView({ kind: "signed-in", user });
  }, []);

  const load = useCallback(async () => {
    setView({ kind: "loading" });
    try {
      signedIn(await me());
    } catch (caught) {
      const failure = caught instanceof ApiError ? caught : new ApiError(0, String(caught));
      const remembered = rememberedUser();
      if (failure.status === 401 || failure.status === 403) {
        setUser(null);
        setView({ kind: "login" });
      } else if (failure.isNetwork && remembered && !isLocked()) {
        // Offline: open the floor for the last user; the outbox keeps what they record.
        setUser(remembered.username);
        setView({ kind: "signed-in", user: remembered });
      } else if (failure.isNetwork && remembered) {
        setView({ kind: "login", notice: "session.locked" });
      } else {
        setView({ kind: "unavailable", failure });
      }
    }
  }, [signedIn]);

  useEffect(() => {
    startOutbox();
    void load();
  }, [load]);

  const lock = useCallback((notice: MessageKey) => {
    if (viewRef.current.kind !== "signed-in") return;
    setLocked(true);
    setUser(null);
    setView({ kind: "login", notice });
  }, []);

  // When the server says the session is over, drop the user's data from the screen at once;
  // the place in the app (the URL) is kept for after sign-in.
  useEffect(() => onUnauthorized(() => lock("session.ended")), [lock]);

  const idleLock = useCallback(() => {
    void logout().catch(() => undefined);
    lock("session.locked");
  }, [lock]);
  const user = view.kind === "signed-in" ? view.user : null;
  useIdleLock(user !== null, user?.idle_minutes ?? DEFAULT_IDLE_MINUTES, idleLock);

  const signedOut = useCallback(() => {
    rememberUser(null);
    forgetSites();
    chooseSite(null);
    setUser(null);
    setView({ kind: "login" });
  }, []);

  return (
    <div class="app">
      <TopBar theme={theme} onTheme={setTheme}>
        {user && <SessionBar onSignedOut={signedOut} />}
      </TopBar>
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
      {view.kind === "login" && <Login notice={view.notice} onSignedIn={signedIn} />}
      {user && <SignedIn user={user} />}
    </div>
  );
}

/**
 * On every screen once signed in: what the tablet still holds, and signing out, which says so
 * first when records are not sent yet (they are never dropped).
 */
function SessionBar({ onSignedOut }: { onSignedOut: () => void }) {
  const { t } = useI18n();
  const { state } = useOutbox();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);

  async function signOut() {
    if (state.pending > 0 && !asking) {
      setAsking(true);
      return;
    }
    setBusy(true);
    try {
      await logout();
    } catch {
      // Offline or already expired: the session ends on the server by itself.
    }
    onSignedOut();
  }

  return (
    <>
      <OutboxBar state={state} />
      {asking && (
        <div class="topbar-warning" role="alertdialog" aria-label={t("signOut.unsentTitle")}>
          <span>{t("signOut.unsent", { count: state.pending })}</span>
          <button type="button" class="btn btn-quiet" onClick={() => setAsking(false)}>
            {t("signOut.stay")}
          </button>
        </div>
      )}
      <button type="button" class="btn btn-quiet" disabled={busy} onClick={() => void signOut()}>
        {asking ? t("signOut.anyway") : t("home.signOut")}
      </button>
    </>
  );
}

function SignedIn({ user }: { user: User }) {
  const { t } = useI18n();
  const { sites, failure } = useSites();
  const [site, setSite] = useState<string | null>(() => chosenSite(user));
  const route = useRoute();
  // A new screen opens at its top (the recorder's action grid, not where the floor was scrolled).
  const screenKey = `${route.name}/${route.params.join("/")}`;
  useEffect(() => {
    if (typeof scrollTo === "function") scrollTo(0, 0);
  }, [screenKey]);

  if (user.memberships.length === 0) {
    return (
      <main class="screen screen-narrow">
        <p class="lede">{t("home.noSites")}</p>
      </main>
    );
  }
  if (!sites) {
    return (
      <main class="screen screen-narrow" aria-busy={failure ? "false" : "true"}>
        {failure ? (
          <Notice kind="error">{failure.isNetwork ? t("error.network") : failure.detail}</Notice>
        ) : (
          <p class="lede">{t("app.loading")}</p>
        )}
      </main>
    );
  }
  const current = sites.find((s) => s.slug === site);
  if (!current || route.name === "sites") {
    return (
      <SitePicker
        user={user}
        sites={sites}
        onPick={(slug) => {
          chooseSite(slug);
          setSite(slug);
          location.hash = "#/floor";
        }}
      />
    );
  }
  const role = user.memberships.find((m) => m.site === current.slug)?.role ?? "staff";
  return (
    <>
      <NavBar role={role} route={route.name} />
      <Screen route={route} site={current} sites={sites} user={user} role={role} />
    </>
  );
}

const SUPERVISING: readonly Role[] = ["supervisor", "admin"];

/** Supervisors and analysts move between their screens; staff stay on the floor's own links. */
function NavBar({ role, route }: { role: Role; route: string }) {
  const { t } = useI18n();
  if (role === "staff") return null;
  const links: { name: string; label: MessageKey }[] =
    role === "analyst"
      ? [{ name: "reports", label: "nav.reports" }]
      : [
          { name: "floor", label: "nav.floor" },
          { name: "review", label: "nav.review" },
          { name: "debriefs", label: "nav.debriefs" },
          { name: "stock", label: "nav.stock" },
          { name: "alerts", label: "nav.alerts" },
          { name: "restrictions", label: "nav.restrictions" },
          { name: "complaints", label: "nav.complaints" },
          { name: "participants", label: "nav.participants" },
          { name: "reports", label: "nav.reports" },
          { name: "imports", label: "nav.imports" },
        ];
  return (
    <nav class="navbar" aria-label={t("nav.label")}>
      {links.map((link) => (
        <a
          key={link.name}
          href={`#/${link.name}`}
          class="navbar-link"
          {...(route === link.name ? { "aria-current": "page" as const } : {})}
        >
          {t(link.label)}
        </a>
      ))}
    </nav>
  );
}

interface ScreenProps {
  route: Route;
  site: Site;
  sites: Site[];
  user: User;
  role: Role;
}

/** The user's other sites where they supervise: a network alert may go there too. */
function supervised(sites: Site[], user: User, current: Site): Site[] {
  return sites.filter(
    (s) =>
      s.slug !== current.slug &&
      user.memberships.some((m) => m.site === s.slug && SUPERVISING.includes(m.role)),
  );
}

function Screen({ route, site, sites, user, role }: ScreenProps) {
  const param = (name: string) => route.query.get(name);
  // Analysts read aggregate reports only; staff never see them (the API refuses them too).
  if (role === "analyst") return <ReportsScreen sites={sites} site={site} role={role} />;
  if (SUPERVISING.includes(role)) {
    switch (route.name) {
      case "review":
        return route.params[0] ? (
          <IncidentReview key={route.params[0]} site={site} id={route.params[0]} />
        ) : (
          <ReviewQueue site={site} />
        );
      case "debriefs":
        return <Debriefs site={site} />;
      case "alerts":
        return <AlertsScreen site={site} otherSites={supervised(sites, user, site)} />;
      case "poster":
        return <Poster site={site} id={route.params[0] ?? ""} />;
      case "restrictions":
        return <RestrictionsScreen site={site} />;
      case "complaints":
        return <ComplaintsScreen site={site} />;
      case "participants":
        return <ParticipantsScreen site={site} />;
      case "reports":
        return <ReportsScreen sites={sites} site={site} role={role} />;
      case "imports":
        return <LazyImports site={site} />;
    }
  }
  switch (route.name) {
    case "check-in":
      return (
        <CheckIn key={location.hash} site={site} booth={param("booth")} waitlist={param("waitlist")} />
      );
    case "turnaway":
      return <TurnAway site={site} />;
    case "incident":
      return route.params[0] ? (
        <Recorder key={route.params[0]} site={site} id={route.params[0]} user={user} />
      ) : (
        <Floor site={site} user={user} />
      );
    case "service":
      return <ServiceForm key={location.hash} site={site} visit={param("visit")} />;
    case "referral":
      return <ReferralForm key={location.hash} site={site} visit={param("visit")} />;
    case "mine":
      return <MyIncidents site={site} />;
    case "stock":
      return <StockScreen site={site} />;
    case "shift-check":
      return <ShiftCheck site={site} />;
    case "outbox":
      return <OutboxScreen site={site} />;
    default:
      return (
        <Floor
          site={site}
          user={user}
          focus={param("booth") ?? (param("service") ? "service" : null)}
        />
      );
  }
}

/** The import screen, a desk screen, in its own chunk: the floor's first load does not carry it. */
function LazyImports({ site }: { site: Site }) {
  const { t } = useI18n();
  const [screen, setScreen] = useState<ComponentType<{ site: Site }> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import("./screens/imports/ImportsScreen")
      .then((module) => setScreen(() => module.ImportsScreen))
      .catch(() => setFailed(true));
  }, []);
  if (screen) {
    const ImportsScreen = screen;
    return <ImportsScreen site={site} />;
  }
  return (
    <main class="screen screen-narrow" aria-busy={failed ? "false" : "true"}>
      {failed ? <Notice kind="error">{t("error.network")}</Notice> : <p class="lede">{t("app.loading")}</p>}
    </main>
  );
}

export function App(props: { lang?: Lang }) {
  return (
    <I18nProvider {...(props.lang ? { lang: props.lang } : {})}>
      <Shell />
    </I18nProvider>
  );
}
