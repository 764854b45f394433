import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, api, call, type Floor, type FloorIncident, type Site } from "../api";
import { entriesForUser, subscribe, type OutboxEntry, type OutboxState } from "../outbox";
import { forgetFloors, keepFloor, keptFloor } from "./keptFloor";
import { mergePending, pendingRecords, type Pending } from "./records";

const EMPTY_STATE: OutboxState = {
  pending: 0,
  parked: [],
  otherUsers: 0,
  needsLogin: false,
  online: true,
  sending: false,
};

/** The outbox's counts, and its entries read back as records. */
export function useOutbox(): { state: OutboxState; entries: OutboxEntry[]; pending: Pending } {
  const [state, setState] = useState<OutboxState>(EMPTY_STATE);
  const [entries, setEntries] = useState<OutboxEntry[]>([]);
  useEffect(() => {
    let live = true;
    const unsubscribe = subscribe((next) => {
      setState(next);
      void entriesForUser().then((list) => {
        if (live) setEntries(list);
      });
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);
  const pending = useMemo(() => pendingRecords(entries), [entries]);
  return { state, entries, pending };
}

/** Calls `reload` whenever the outbox delivers something (its pending count goes down). */
export function useReloadOnDelivery(pending: number, reload: () => void): void {
  const previous = useRef(pending);
  useEffect(() => {
    if (pending < previous.current) reload();
    previous.current = pending;
  }, [pending, reload]);
}

/** Re-renders every `ms` milliseconds, for clocks and minutes-in. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

const SITES_KEY = "vigil.sites";

/**
 * The user's sites (booths, observation times, usual naloxone dose). Kept on the tablet so the
 * floor opens offline: it is configuration, not a record.
 */
export function useSites(): { sites: Site[] | null; failure: ApiError | null } {
  const [sites, setSites] = useState<Site[] | null>(() => {
    try {
      const raw = localStorage.getItem(SITES_KEY);
      return raw ? (JSON.parse(raw) as Site[]) : null;
    } catch {
      return null;
    }
  });
  const [failure, setFailure] = useState<ApiError | null>(null);
  useEffect(() => {
    call(api.GET("/api/v1/sites/", { params: { query: { page_size: 100 } } }))
      .then((page) => {
        setSites(page.results);
        try {
          localStorage.setItem(SITES_KEY, JSON.stringify(page.results));
        } catch {
          // Not kept; fetched again next time.
        }
      })
      .catch((caught: unknown) => setFailure(caught as ApiError));
  }, []);
  return { sites, failure };
}

export function forgetSites(): void {
  forgetFloors();
  try {
    localStorage.removeItem(SITES_KEY);
  } catch {
    // Nothing kept.
  }
}

const FLOOR_REFRESH_MS = 10_000;

/**
 * The open incidents of the last floor loaded, in memory only: the recorder still opens an
 * incident already delivered when the Wi-Fi drops before it could read it again.
 */
const openIncidents = new Map<string, FloorIncident>();

export function lastKnownIncident(id: string): FloorIncident | undefined {
  return openIncidents.get(id);
}

function rememberIncidents(floor: Floor): void {
  openIncidents.clear();
  for (const incident of floor.incidents) openIncidents.set(incident.id, incident);
}

/**
 * The live floor, refreshed every few seconds, whenever the outbox delivers something and as
 * soon as the network returns, with the outbox's records on top. Until the server answers (or
 * while it cannot be reached) it is the last floor the server gave, kept on the tablet: `asOf`
 * then says when that was; it is null while the floor is live. A record the outbox has just
 * delivered stays shown until a floor loaded after its delivery has it, so a booth never
 * flickers free between the two.
 */
export function useFloor(site: string, outboxPending: number, pending: Pending) {
  const [kept] = useState(() => keptFloor(site));
  const [floor, setFloor] = useState<Floor | null>(() => {
    if (kept) rememberIncidents(kept.floor);
    return kept?.floor ?? null;
  });
  const [asOf, setAsOf] = useState<string | null>(kept?.at ?? null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const inFlight = useRef(false);
  const again = useRef(false);

  const load = useCallback(async () => {
    if (inFlight.current) {
      // An answer already on its way may predate what changed: ask once more after it.
      again.current = true;
      return;
    }
    inFlight.current = true;
    try {
      do {
        again.current = false;
        const next = await call(
          api.GET("/api/v1/sites/{slug}/floor", { params: { path: { slug: site } } }),
        );
        if (!again.current) {
          rememberIncidents(next);
          keepFloor(site, next, new Date().toISOString());
          setFloor(next);
          setAsOf(null);
          setFailure(null);
        }
      } while (again.current);
    } catch (caught) {
      setFailure(caught as ApiError);
      setAsOf((before) => before ?? keptFloor(site)?.at ?? null);
    } finally {
      inFlight.current = false;
    }
  }, [site]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), FLOOR_REFRESH_MS);
    const back = () => void load();
    addEventListener("online", back);
    return () => {
      clearInterval(timer);
      removeEventListener("online", back);
    };
  }, [load]);

  // A delivery changes the floor.
  useReloadOnDelivery(outboxPending, () => void load());

  const carried = useRef<{ floor: Floor | null; pending: Pending }>({ floor, pending });
  carried.current =
    carried.current.floor === floor
      ? { floor, pending: mergePending(carried.current.pending, pending) }
      : { floor, pending };

  return { floor, asOf, failure, pending: carried.current.pending };
}
