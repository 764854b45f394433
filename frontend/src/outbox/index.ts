// The outbox: every write of the floor app is queued here (IndexedDB), then sent in order,
// one at a time, until the server has it. See docs/architecture.md (The flow of a write).
import { ApiError, apiRequest, errorFromResponse, transport } from "../api/transport";
import { addEntry, allEntries, closeDb, deleteEntry, getEntry, updateEntry } from "./db";
import { sameContent } from "./same";
import type { OutboxEntry, OutboxError, OutboxMethod, OutboxState } from "./types";

export type { OutboxEntry, OutboxError, OutboxMethod, OutboxState } from "./types";
export { sameContent } from "./same";

export { TIMEOUT_MS } from "../api/transport";
export const BACKOFF_MIN_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;
const LOCK_NAME = "vigil-outbox";
const CHANNEL_NAME = "vigil-outbox";

let user: string | null = null;
// Who was signed in last: writes made after a 401 (session expired mid-incident) still belong to them.
let lastUser: string | null = null;
let needsLogin = false;
let online = typeof navigator === "undefined" ? true : navigator.onLine;
let sending = false;

let state: OutboxState = { pending: 0, parked: [], otherUsers: 0, needsLogin, online, sending };
let stateJson = JSON.stringify(state);
const listeners = new Set<(state: OutboxState) => void>();
let loaded = false;
let refreshes = 0;

let running: Promise<void> | null = null;
// The entry being sent now, and those being withdrawn (never picked while that happens).
let inFlight: string | null = null;
const withdrawing = new Set<string>();
let rerun = false;
let started = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let channel: BroadcastChannel | null = null;

function owner(): string | null {
  return user ?? lastUser;
}

function emit(next: OutboxState): void {
  const json = JSON.stringify(next);
  if (json === stateJson) return;
  state = next;
  stateJson = json;
  for (const listener of [...listeners]) listener(state);
}

/** Recomputes the state from IndexedDB; only the latest of overlapping refreshes is applied. */
async function refresh(): Promise<void> {
  const mine = ++refreshes;
  const entries = await allEntries();
  if (mine !== refreshes) return;
  loaded = true;
  const who = owner();
  const own = entries.filter((e) => e.user === who);
  emit({
    pending: own.length,
    parked: own.filter((e) => e.status === "parked"),
    otherUsers: entries.length - own.length,
    needsLogin,
    online,
    sending,
  });
}

/** Publishes the new state (awaited by the flows so that a resolved call has a current state). */
function changed(): Promise<void> {
  channel?.postMessage("changed");
  return refresh().catch(report);
}

function report(error: unknown): void {
  console.error("outbox:", error);
}

export function subscribe(listener: (state: OutboxState) => void): () => void {
  listeners.add(listener);
  listener(state);
  if (!loaded) void refresh().catch(report);
  return () => listeners.delete(listener);
}

export async function enqueue(input: {
  method: OutboxMethod;
  path: string;
  body: Record<string, unknown>;
  summary: string;
  dependsOn?: string;
  /** Not sent before this many ms: a window in which `withdraw` can take it back. */
  holdMs?: number;
}): Promise<string> {
  const who = owner();
  if (who === null) throw new Error("outbox: nobody is signed in");
  if (!input.path.startsWith("/")) throw new Error(`outbox: path must start with "/": ${input.path}`);
  const entry: Omit<OutboxEntry, "seq"> = {
    key: crypto.randomUUID(),
    user: who,
    method: input.method,
    path: input.path,
    // What is stored is exactly what will be sent (no undefined, no class instances).
    body: JSON.parse(JSON.stringify(input.body)) as Record<string, unknown>,
    summary: input.summary,
    ...(input.dependsOn === undefined ? {} : { dependsOn: input.dependsOn }),
    createdAt: new Date().toISOString(),
    attempts: 0,
    nextAttemptAt: Date.now() + (input.holdMs ?? 0),
    status: "pending",
  };
  await addEntry(entry);
  await changed();
  void flush();
  return entry.key;
}

export function setUser(username: string | null): void {
  user = username;
  if (username !== null) {
    lastUser = username;
    needsLogin = false;
  }
  void changed();
  if (username !== null) void flush();
}

export async function entriesForUser(): Promise<OutboxEntry[]> {
  const who = owner();
  return (await allEntries()).filter((e) => e.user === who);
}

async function parkedEntry(key: string): Promise<OutboxEntry> {
  const entry = await getEntry(key);
  if (!entry || entry.user !== owner()) throw new Error(`outbox: no entry ${key}`);
  // A pending entry may be in flight: changing or dropping it could lose or double a record.
  if (entry.status !== "parked") throw new Error(`outbox: entry ${key} is not parked`);
  return entry;
}

export async function fix(key: string, body: Record<string, unknown>): Promise<void> {
  await parkedEntry(key);
  const clean = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  await updateEntry(key, ({ error: _dropped, ...entry }) => ({
    ...entry,
    body: clean,
    status: "pending",
    attempts: 0,
    nextAttemptAt: Date.now(),
  }));
  await changed();
  await flush();
}

export async function discard(key: string): Promise<void> {
  await parkedEntry(key);
  await deleteEntry(key);
  await changed();
}

/**
 * Takes back an entry not sent yet (an undo a few seconds after the tap): true when it is
 * gone, false when it is being sent or already delivered (void the record instead).
 */
export async function withdraw(key: string): Promise<boolean> {
  if (inFlight === key) return false;
  withdrawing.add(key);
  try {
    const entry = await getEntry(key);
    if (!entry || entry.user !== owner() || entry.status !== "pending" || inFlight === key) {
      return false;
    }
    await deleteEntry(key);
  } finally {
    withdrawing.delete(key);
  }
  await changed();
  return true;
}

/** Sends what is due, in seq order, one at a time. Concurrent calls share one run. */
export function flush(): Promise<void> {
  if (running) {
    rerun = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        rerun = false;
        await withLock(pass);
      } while (rerun);
    } catch (error) {
      report(error);
    } finally {
      running = null;
    }
  })();
  return running;
}

/** Other tabs of the tablet share the queue: only one of them sends at a time. */
async function withLock(run: () => Promise<void>): Promise<void> {
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  if (locks && typeof locks.request === "function") {
    await locks.request(LOCK_NAME, run);
  } else {
    await run();
  }
}

function canSend(): boolean {
  return user !== null && !needsLogin && online;
}

type Next = { entry: OutboxEntry } | { waitUntil: number } | null;

/** The first entry that may go now; parked entries and those depending on them are stepped over. */
function nextDue(entries: OutboxEntry[], now: number): Next {
  const undelivered = new Set(entries.map((e) => e.key));
  for (const entry of entries) {
    if (entry.user !== user || entry.status === "parked" || withdrawing.has(entry.key)) continue;
    // Its dependency is still queued: it is parked (or waits on one that is), since an earlier
    // pending one would have been returned or waited for already.
    if (entry.dependsOn !== undefined && undelivered.has(entry.dependsOn)) continue;
    // Strict FIFO: a later entry never overtakes one that is backing off.
    return entry.nextAttemptAt > now ? { waitUntil: entry.nextAttemptAt } : { entry };
  }
  return null;
}

async function pass(): Promise<void> {
  if (!canSend()) return;
  await setSending(true);
  let waitUntil: number | null = null;
  // Each entry is tried at most once per pass, so a store that fails to record an answer
  // cannot turn into a storm of requests.
  const tried = new Set<string>();
  try {
    while (canSend()) {
      const next = nextDue(await allEntries(), Date.now());
      if (next === null) break;
      if ("waitUntil" in next) {
        waitUntil = next.waitUntil;
        break;
      }
      if (tried.has(next.entry.key)) break;
      tried.add(next.entry.key);
      inFlight = next.entry.key;
      try {
        await send(next.entry);
      } finally {
        inFlight = null;
      }
    }
  } finally {
    await setSending(false);
    schedule(waitUntil);
  }
}

function setSending(value: boolean): Promise<void> {
  sending = value;
  return changed();
}

function schedule(at: number | null): void {
  clearTimeout(timer);
  timer = undefined;
  if (!started || at === null) return;
  timer = setTimeout(() => void flush(), Math.max(0, at - Date.now()));
}

/** 1 s doubling to 60 s, times 0.75–1.25 so tablets coming back online do not all retry at once. */
export function backoffMs(attempts: number): number {
  const base = BACKOFF_MIN_MS * 2 ** Math.min(Math.max(attempts - 1, 0), 16);
  return Math.min(BACKOFF_MAX_MS, base * (0.75 + Math.random() * 0.5));
}

function retryAfterMs(response: Response): number | null {
  const seconds = Number(response.headers.get("Retry-After"));
  return response.headers.has("Retry-After") && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

async function send(entry: OutboxEntry): Promise<void> {
  const attempts = entry.attempts + 1;
  let response: Response;
  try {
    response = await transport(apiRequest(entry.method, entry.path, entry.body));
  } catch (caught) {
    const detail = caught instanceof ApiError ? caught.detail : "network error";
    await retryLater(entry, attempts, { status: 0, detail, fields: {} });
    return;
  }

  if (response.ok) return delivered(entry);

  let current: unknown = undefined;
  if (response.status === 409) {
    try {
      current = ((await response.clone().json()) as Record<string, unknown> | null)?.["current"];
    } catch {
      // Not JSON: treat as a real conflict.
    }
  }
  const { status, detail, fields } = await errorFromResponse(response);
  const error: OutboxError = { status, detail, fields };

  if (status === 409 && isRecord(current) && sameContent(entry.body, current)) {
    // A resend whose first answer was lost: the server already holds exactly this record.
    return delivered(entry);
  }
  if (status === 401) {
    // The transport has told the app; keep the queue until its user signs in again.
    needsLogin = true;
    await changed();
    return;
  }
  if (status === 429 || status >= 500 || status < 400) {
    await retryLater(entry, attempts, error, status === 429 ? retryAfterMs(response) : null);
    return;
  }
  await updateEntry(entry.key, (e) => ({ ...e, attempts, status: "parked", error }));
  await changed();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function delivered(entry: OutboxEntry): Promise<void> {
  // At once: after delivery nothing of the record (a visit code above all) stays in the browser.
  await deleteEntry(entry.key);
  await changed();
}

async function retryLater(entry: OutboxEntry, attempts: number, error: OutboxError, waitMs: number | null = null): Promise<void> {
  const nextAttemptAt = Date.now() + (waitMs ?? backoffMs(attempts));
  await updateEntry(entry.key, (e) => ({ ...e, attempts, nextAttemptAt, error }));
  await changed();
}

/** Back online: whatever was backing off is due now. */
async function retryNow(): Promise<void> {
  const now = Date.now();
  for (const entry of await allEntries()) {
    if (entry.status === "pending" && entry.nextAttemptAt > now) {
      await updateEntry(entry.key, (e) => ({ ...e, nextAttemptAt: now }));
    }
  }
  await flush();
}

function onOnline(): void {
  online = true;
  void changed();
  void retryNow().catch(report);
}

function onOffline(): void {
  online = false;
  void changed();
}

function onVisible(): void {
  if (document.visibilityState === "visible") void flush();
}

export function startOutbox(): void {
  if (started) return;
  started = true;
  online = navigator.onLine;
  window.addEventListener("online", onOnline);
  window.addEventListener("offline", onOffline);
  document.addEventListener("visibilitychange", onVisible);
  if (typeof BroadcastChannel === "function") {
    channel = new BroadcastChannel(CHANNEL_NAME);
    channel.onmessage = () => void refresh().catch(report);
  }
  void changed();
  void flush();
}

export function stopOutbox(): void {
  started = false;
  clearTimeout(timer);
  timer = undefined;
  window.removeEventListener("online", onOnline);
  window.removeEventListener("offline", onOffline);
  document.removeEventListener("visibilitychange", onVisible);
  channel?.close();
  channel = null;
}

/**
 * Stops, waits for a running flush, closes the database and forgets the session, as a page
 * unload would (tests: the next use opens whatever IndexedDB is current).
 */
export async function closeOutbox(): Promise<void> {
  stopOutbox();
  await running;
  await closeDb();
  user = null;
  lastUser = null;
  needsLogin = false;
  online = navigator.onLine;
  loaded = false;
  refreshes += 1; // a refresh still reading the old database must not publish
  state = { pending: 0, parked: [], otherUsers: 0, needsLogin, online, sending: false };
  stateJson = JSON.stringify(state);
}
