import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OutboxEntry, OutboxState } from "./index";

type Outbox = typeof import("./index");
type Client = typeof import("../api/client");

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
interface Call {
  url: string;
  method: string;
  body: Record<string, unknown>;
  init: RequestInit;
}
/** Answers one request; throw to fail like a dropped Wi-Fi. */
type Handler = (call: Call) => Reply | Promise<Reply>;

let outbox: Outbox;
let client: Client;
let calls: Call[];

/** A fresh module instance (as after a page reload) on whatever IndexedDB is current. */
async function load(): Promise<void> {
  vi.resetModules();
  outbox = await import("./index");
  client = await import("../api/client");
}

function serve(handler: Handler): void {
  calls = [];
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>(async (input, init = {}) => {
      const call: Call = {
        url: String(input),
        method: init.method ?? "GET",
        body: JSON.parse(String(init.body ?? "{}")) as Record<string, unknown>,
        init,
      };
      calls.push(call);
      const reply = await handler(call);
      const body = reply.body === undefined ? null : JSON.stringify(reply.body);
      return new Response(body, {
        status: reply.status,
        headers: { ...(body === null ? {} : { "Content-Type": "application/json" }), ...reply.headers },
      });
    }),
  );
}

/** Answers the replies in order, the last one repeating. */
function replies(...list: (Reply | "offline")[]): void {
  let n = 0;
  serve(() => {
    const reply = list[Math.min(n++, list.length - 1)];
    if (reply === undefined || reply === "offline") throw new TypeError("Failed to fetch");
    return reply;
  });
}

const ok: Reply = { status: 201, body: {} };

/** Queues entries for alice without sending them (as during a session expiry). */
async function queueForAlice(...paths: string[]): Promise<string[]> {
  outbox.setUser("alice");
  outbox.setUser(null);
  const keys: string[] = [];
  for (const path of paths) keys.push(await outbox.enqueue({ method: "POST", path, body: { n: path }, summary: path }));
  return keys;
}

async function signIn(name = "alice"): Promise<void> {
  outbox.setUser(name);
  await outbox.flush();
}

function sentPaths(): string[] {
  return calls.map((c) => c.url.replace("/api/v1", ""));
}

async function entry(key: string): Promise<OutboxEntry | undefined> {
  return (await outbox.entriesForUser()).find((e) => e.key === key);
}

function latest(): OutboxState {
  let state: OutboxState | undefined;
  outbox.subscribe((s) => (state = s))();
  if (!state) throw new Error("no state");
  return state;
}

/** Every store of the raw database, read without the module. */
async function rawDatabase(): Promise<Record<string, unknown[]>> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open("vigil-outbox");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const dump: Record<string, unknown[]> = {};
  for (const name of Array.from(db.objectStoreNames)) {
    dump[name] = await new Promise<unknown[]>((resolve, reject) => {
      const request = db.transaction(name).objectStore(name).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  db.close();
  return dump;
}

/** Moves the clock past an entry's backoff. */
async function afterBackoff(key: string): Promise<void> {
  const at = (await entry(key))?.nextAttemptAt ?? 0;
  vi.spyOn(Date, "now").mockReturnValue(at + 1);
}

beforeEach(async () => {
  vi.stubGlobal("indexedDB", new IDBFactory());
  await load();
  replies(ok);
});

afterEach(async () => {
  await outbox.closeOutbox();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("sending", () => {
  it("sends JSON to /api/v1 with the session cookie, the CSRF token and a timeout signal", async () => {
    document.cookie = "csrftoken=tok123";
    outbox.setUser("alice");
    await outbox.enqueue({ method: "PATCH", path: "/visits/v1", body: { kind: "supervised" }, summary: "Edit" });
    await outbox.flush();

    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe("/api/v1/visits/v1");
    expect(call?.method).toBe("PATCH");
    expect(call?.body).toEqual({ kind: "supervised" });
    expect(call?.init.credentials).toBe("same-origin");
    expect(call?.init.signal).toBeInstanceOf(AbortSignal);
    expect(call?.init.headers).toMatchObject({ "Content-Type": "application/json", "X-CSRFToken": "tok123" });
  });

  it("persists before enqueue resolves", async () => {
    outbox.setUser("alice");
    outbox.setUser(null);
    const key = await outbox.enqueue({ method: "POST", path: "/visits/", body: {}, summary: "Check-in" });
    const raw = await rawDatabase();
    expect(raw["entries"]).toMatchObject([{ key, user: "alice", status: "pending", attempts: 0, summary: "Check-in" }]);
  });

  it("refuses to queue when nobody ever signed in", async () => {
    await expect(outbox.enqueue({ method: "POST", path: "/visits/", body: {}, summary: "x" })).rejects.toThrow();
  });
});

describe("ordering", () => {
  it("sends first in, first out, one at a time, even when flushes overlap", async () => {
    let inFlight = 0;
    let most = 0;
    serve(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return ok;
    });
    await queueForAlice("/a/", "/b/", "/c/");
    outbox.setUser("alice");
    await Promise.all([outbox.flush(), outbox.flush(), outbox.flush()]);

    expect(sentPaths()).toEqual(["/a/", "/b/", "/c/"]);
    expect(most).toBe(1);
    expect(await outbox.entriesForUser()).toEqual([]);
  });

  it("gives growing seq numbers that survive an emptied queue", async () => {
    const [a, b] = await queueForAlice("/a/", "/b/");
    const seqs = (await outbox.entriesForUser()).map((e) => [e.key, e.seq]);
    expect(seqs).toEqual([[a, 1], [b, 2]]);
    await signIn();
    const c = await outbox.enqueue({ method: "POST", path: "/c/", body: {}, summary: "c" });
    await outbox.flush();
    expect((await rawDatabase())["meta"]).toEqual([3]);
    expect(c).not.toBe(a);
  });

  it("lets independent entries pass a parked one, but holds the ones that depend on it", async () => {
    serve((call) => (call.url.endsWith("/incidents/") && calls.length === 1 ? { status: 400, body: { detail: "Some fields need attention.", fields: { location: ["Required."] } } } : ok));
    outbox.setUser("alice");
    outbox.setUser(null);
    const incident = await outbox.enqueue({ method: "POST", path: "/incidents/", body: { id: "i1" }, summary: "Overdose" });
    const action = await outbox.enqueue({ method: "POST", path: "/incidents/i1/actions/", body: { kind: "oxygen" }, summary: "Oxygen", dependsOn: incident });
    const second = await outbox.enqueue({ method: "POST", path: "/incidents/i1/actions/", body: { kind: "cpr" }, summary: "CPR", dependsOn: action });
    await outbox.enqueue({ method: "POST", path: "/visits/", body: { id: "v1" }, summary: "Check-in" });
    await signIn();

    expect(sentPaths()).toEqual(["/incidents/", "/visits/"]);
    expect((await entry(incident))?.status).toBe("parked");
    expect((await entry(action))?.status).toBe("pending");
    expect((await entry(second))?.status).toBe("pending");
    expect(latest()).toMatchObject({ pending: 3, parked: [{ key: incident }] });

    await outbox.fix(incident, { id: "i1", location: "Booth 3" });
    expect(sentPaths().slice(2)).toEqual(["/incidents/", "/incidents/i1/actions/", "/incidents/i1/actions/"]);
    expect(calls.slice(2).map((c) => c.body)).toEqual([{ id: "i1", location: "Booth 3" }, { kind: "oxygen" }, { kind: "cpr" }]);
    expect(await outbox.entriesForUser()).toEqual([]);
  });

  it("never lets a later entry overtake one that is backing off", async () => {
    replies({ status: 503 }, ok);
    await queueForAlice("/a/", "/b/");
    await signIn();
    expect(sentPaths()).toEqual(["/a/"]);
    expect(await outbox.entriesForUser()).toHaveLength(2);
  });
});

describe("replay of a resent record", () => {
  const checkIn = {
    id: "7d1f0c1e-0000-4000-8000-000000000001",
    site: "downtown",
    code: "ZX-4471",
    kind: "supervised",
    booth: "b3",
    checked_in_at: "2025-03-01T14:05:00.000Z",
    substances: ["fentanyl", "crystal_meth"],
  };
  const stored = { ...checkIn, code: undefined, participant: "p1", checked_in_at: "2025-03-01T09:05:00-05:00", substances: ["crystal_meth", "fentanyl"], version: 1 };

  /** A server that keeps records by id and answers like the API: 201, 200 for the same content, else 409. */
  function recordServer(loseFirstAnswer: boolean): Map<string, Record<string, unknown>> {
    const records = new Map<string, Record<string, unknown>>();
    serve((call) => {
      const id = String(call.body["id"]);
      const prior = records.get(id);
      if (!prior) {
        records.set(id, { ...call.body, code: undefined, participant: "p1" });
        if (loseFirstAnswer) throw new TypeError("Failed to fetch"); // stored, but the answer never arrived
        return { status: 201, body: records.get(id) };
      }
      return JSON.stringify({ ...call.body, code: undefined, participant: "p1" }) === JSON.stringify(prior)
        ? { status: 200, body: prior }
        : { status: 409, body: { detail: "This record was already sent with other content.", fields: {}, current: prior } };
    });
    return records;
  }

  it("delivers once when the first answer was lost and the resend gets 200", async () => {
    const records = recordServer(true);
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/visits/", body: checkIn, summary: "Check-in · booth 3" });
    await outbox.flush();
    expect((await entry(key))?.attempts).toBe(1);

    await afterBackoff(key);
    await outbox.flush();
    expect(calls).toHaveLength(2);
    expect(records.size).toBe(1);
    expect(await outbox.entriesForUser()).toEqual([]);
    await outbox.flush();
    expect(calls).toHaveLength(2);
  });

  it("counts a 409 whose current record matches what was sent as delivered", async () => {
    replies({ status: 409, body: { detail: "This record was already sent with other content.", fields: {}, current: stored } });
    outbox.setUser("alice");
    await outbox.enqueue({ method: "POST", path: "/visits/", body: checkIn, summary: "Check-in · booth 3" });
    await outbox.flush();
    expect(await outbox.entriesForUser()).toEqual([]);
  });

  it("parks a 409 whose current record differs, with the server's message", async () => {
    replies({ status: 409, body: { detail: "This record was already sent with other content.", fields: {}, current: { ...stored, booth: "b4" } } });
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/visits/", body: checkIn, summary: "Check-in · booth 3" });
    await outbox.flush();
    expect(await entry(key)).toMatchObject({
      status: "parked",
      error: { status: 409, detail: "This record was already sent with other content.", fields: {} },
    });
  });

  it("parks a 409 that carries no stored record (one open visit per booth)", async () => {
    replies({ status: 409, body: { detail: "Booth 3 is taken.", fields: {} } });
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/visits/", body: checkIn, summary: "Check-in · booth 3" });
    await outbox.flush();
    expect((await entry(key))?.error?.detail).toBe("Booth 3 is taken.");
  });
});

describe("each status class", () => {
  it.each([200, 201, 204])("%i delivers and deletes the entry", async (status) => {
    replies(status === 204 ? { status } : { status, body: {} });
    outbox.setUser("alice");
    await outbox.enqueue({ method: "POST", path: "/visits/", body: {}, summary: "x" });
    await outbox.flush();
    expect(await outbox.entriesForUser()).toEqual([]);
    expect(latest().pending).toBe(0);
  });

  it("400 parks with the server's detail and fields", async () => {
    replies({ status: 400, body: { detail: "Some fields need attention.", fields: { booth: ["This booth is closed."] } } });
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/visits/", body: {}, summary: "x" });
    await outbox.flush();
    expect(await entry(key)).toMatchObject({
      status: "parked",
      attempts: 1,
      error: { status: 400, detail: "Some fields need attention.", fields: { booth: ["This booth is closed."] } },
    });
    await outbox.flush();
    expect(calls).toHaveLength(1); // parked entries are not retried on their own
  });

  it.each([403, 404, 412, 422])("%i parks", async (status) => {
    replies({ status, body: { detail: `refused ${status}`, fields: {} } });
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "PATCH", path: "/visits/v1", body: {}, summary: "x" });
    await outbox.flush();
    expect(await entry(key)).toMatchObject({ status: "parked", error: { status, detail: `refused ${status}` } });
  });

  it("parks with the status text when the error body is not JSON", async () => {
    serve(() => ({ status: 404 }));
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/x/", body: {}, summary: "x" });
    await outbox.flush();
    expect((await entry(key))?.error).toMatchObject({ status: 404, fields: {} });
  });

  it("401 stops sending, keeps the queue, asks for login and resumes on sign-in", async () => {
    replies({ status: 401, body: { detail: "Not logged in.", fields: {} } }, ok);
    const expired = vi.fn();
    client.onUnauthorized(expired);
    const [a, b] = await queueForAlice("/a/", "/b/");
    await signIn();

    expect(calls).toHaveLength(1);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(latest()).toMatchObject({ needsLogin: true, pending: 2 });
    expect((await entry(a!))?.status).toBe("pending");
    await outbox.flush();
    expect(calls).toHaveLength(1);

    // The app reacts to onUnauthorized with setUser(null); writes still queue meanwhile.
    outbox.setUser(null);
    await outbox.enqueue({ method: "POST", path: "/c/", body: {}, summary: "c" });
    expect(latest()).toMatchObject({ needsLogin: true, pending: 3 });

    await signIn();
    expect(latest().needsLogin).toBe(false);
    expect(sentPaths()).toEqual(["/a/", "/a/", "/b/", "/c/"]);
    expect(await entry(b!)).toBeUndefined();
  });

  it.each<[string, Reply | "offline"]>([
    ["503", { status: 503, body: { detail: "down", fields: {} } }],
    ["502 HTML from the proxy", { status: 502 }],
    ["429 without Retry-After", { status: 429, body: { detail: "Slow down.", fields: {} } }],
    ["a network error", "offline"],
  ])("%s backs off with a growing delay, then delivers", async (_name, failure) => {
    replies(failure, failure, failure, ok);
    const start = 1_000_000;
    vi.spyOn(Date, "now").mockReturnValue(start);
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/visits/", body: {}, summary: "x" });
    await outbox.flush();

    const delays: number[] = [];
    let now = start;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const pending = await entry(key);
      expect(pending).toMatchObject({ status: "pending", attempts: attempt });
      expect(pending?.error?.status).toBe(failure === "offline" ? 0 : failure.status);
      delays.push((pending?.nextAttemptAt ?? 0) - now);
      await outbox.flush(); // not due yet: nothing sent
      expect(calls).toHaveLength(attempt);
      now = (pending?.nextAttemptAt ?? 0) + 1;
      vi.spyOn(Date, "now").mockReturnValue(now);
      await outbox.flush();
    }
    expect(delays[0]).toBeGreaterThanOrEqual(750);
    expect(delays[1]).toBeGreaterThan(delays[0] ?? Infinity);
    expect(delays[2]).toBeGreaterThan(delays[1] ?? Infinity);
    expect(calls).toHaveLength(4);
    expect(await outbox.entriesForUser()).toEqual([]);
  });

  it("429 waits as long as Retry-After asks", async () => {
    replies({ status: 429, body: { detail: "Slow down.", fields: {} }, headers: { "Retry-After": "30" } });
    vi.spyOn(Date, "now").mockReturnValue(5_000);
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/x/", body: {}, summary: "x" });
    await outbox.flush();
    expect((await entry(key))?.nextAttemptAt).toBe(35_000);
  });

  it("caps the backoff at 60 s", () => {
    for (let attempts = 1; attempts < 40; attempts++) {
      expect(outbox.backoffMs(attempts)).toBeLessThanOrEqual(60_000);
    }
    expect(outbox.backoffMs(30)).toBeGreaterThanOrEqual(45_000);
  });

  it("times out a request that hangs, and backs off", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    vi.stubGlobal(
      "fetch",
      vi.fn<typeof fetch>(
        (_input, init) =>
          new Promise((_resolve, reject) => {
            init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
          }),
      ),
    );
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/x/", body: {}, summary: "x" });
    const done = outbox.flush();
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    vi.advanceTimersByTime(outbox.TIMEOUT_MS);
    await done;
    expect(await entry(key)).toMatchObject({ status: "pending", attempts: 1, error: { status: 0, detail: "timeout" } });
  });
});

describe("reload", () => {
  it("keeps the queue across a new page on the same IndexedDB, and sends it", async () => {
    await queueForAlice("/a/", "/b/");
    await outbox.closeOutbox();

    await load();
    replies(ok);
    expect(await outbox.entriesForUser()).toEqual([]); // nobody signed in on the new page yet
    outbox.startOutbox();
    await signIn();
    expect(sentPaths()).toEqual(["/a/", "/b/"]);
    expect((await rawDatabase())["entries"]).toEqual([]);
  });

  it("keeps parked entries and their messages across a reload", async () => {
    replies({ status: 400, body: { detail: "Bad.", fields: { kind: ["Pick one."] } } });
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/x/", body: {}, summary: "x" });
    await outbox.flush();
    await outbox.closeOutbox();

    await load();
    outbox.setUser("alice");
    await outbox.flush();
    expect(await entry(key)).toMatchObject({ status: "parked", error: { fields: { kind: ["Pick one."] } } });
    expect(latest().parked).toHaveLength(1);
  });
});

describe("users of a shared tablet", () => {
  it("never sends one user's entries under another's session", async () => {
    await queueForAlice("/alice/");
    await signIn("bob");
    await outbox.enqueue({ method: "POST", path: "/bob/", body: {}, summary: "b" });
    await outbox.flush();

    expect(sentPaths()).toEqual(["/bob/"]);
    expect(latest()).toMatchObject({ pending: 0, otherUsers: 1, parked: [] });
    expect(await outbox.entriesForUser()).toEqual([]);

    outbox.setUser(null);
    await signIn("alice");
    expect(sentPaths()).toEqual(["/bob/", "/alice/"]);
    expect(latest()).toMatchObject({ pending: 0, otherUsers: 0 });
  });

  it("lets nobody fix or discard another user's entry", async () => {
    replies({ status: 400, body: { detail: "Bad.", fields: {} } });
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/x/", body: {}, summary: "x" });
    await outbox.flush();
    outbox.setUser("bob");
    await expect(outbox.discard(key)).rejects.toThrow();
    await expect(outbox.fix(key, {})).rejects.toThrow();
    expect((await rawDatabase())["entries"]).toHaveLength(1);
  });
});

describe("fix and discard", () => {
  async function parkedOne(): Promise<string> {
    replies({ status: 400, body: { detail: "Bad.", fields: { dose_mg: ["Required for naloxone."] } } }, ok);
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/incidents/i1/actions/", body: { kind: "naloxone" }, summary: "Naloxone" });
    await outbox.flush();
    expect((await entry(key))?.status).toBe("parked");
    return key;
  }

  it("fix replaces the body, clears the error and sends it", async () => {
    const key = await parkedOne();
    await outbox.fix(key, { kind: "naloxone", dose_mg: 0.4, route: "im" });
    expect(calls[1]?.body).toEqual({ kind: "naloxone", dose_mg: 0.4, route: "im" });
    expect(await entry(key)).toBeUndefined();
  });

  it("a fix that is refused again parks again with the new message", async () => {
    const key = await parkedOne();
    replies({ status: 400, body: { detail: "Still bad.", fields: {} } });
    await outbox.fix(key, { kind: "naloxone", dose_mg: 0 });
    expect(await entry(key)).toMatchObject({ status: "parked", attempts: 1, body: { dose_mg: 0 }, error: { detail: "Still bad." } });
  });

  it("discard drops a parked entry for good", async () => {
    const key = await parkedOne();
    await outbox.discard(key);
    await outbox.flush();
    expect(calls).toHaveLength(1);
    expect((await rawDatabase())["entries"]).toEqual([]);
    expect(latest()).toMatchObject({ pending: 0, parked: [] });
  });

  it("refuses to fix or discard an entry that is not parked", async () => {
    const [key] = await queueForAlice("/a/");
    await expect(outbox.discard(key!)).rejects.toThrow(/not parked/);
    await expect(outbox.fix(key!, {})).rejects.toThrow(/not parked/);
    await expect(outbox.discard("no-such-key")).rejects.toThrow();
    expect(await outbox.entriesForUser()).toHaveLength(1);
  });
});

describe("privacy", () => {
  it("leaves nothing of a delivered check-in, least of all its code, in IndexedDB", async () => {
    replies("offline", { status: 201, body: { id: "v1", participant: "p1" } });
    outbox.setUser("alice");
    const key = await outbox.enqueue({
      method: "POST",
      path: "/visits/",
      body: { id: "v1", site: "downtown", code: "ZX-4471", kind: "supervised", booth: "b3" },
      summary: "Check-in · booth 3",
    });
    await outbox.flush();
    expect(JSON.stringify(await rawDatabase())).toContain("ZX-4471"); // kept while undelivered

    await afterBackoff(key);
    await outbox.flush();
    const raw = await rawDatabase();
    expect(raw["entries"]).toEqual([]);
    const text = JSON.stringify(raw);
    for (const trace of ["ZX-4471", "v1", "booth 3", key]) expect(text).not.toContain(trace);
    expect(JSON.stringify(latest())).not.toContain("ZX-4471");
  });
});

describe("state and lifecycle", () => {
  it("subscribe calls at once and on every change, until unsubscribed", async () => {
    const seen: OutboxState[] = [];
    const stop = outbox.subscribe((s) => seen.push(s));
    expect(seen).toHaveLength(1);
    await queueForAlice("/a/");
    await vi.waitFor(() => expect(seen.at(-1)?.pending).toBe(1));
    await signIn();
    expect(seen.some((s) => s.sending)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ pending: 0, sending: false });
    stop();
    const count = seen.length;
    await queueForAlice("/b/");
    expect(seen).toHaveLength(count);
  });

  it("holds sending while offline, and sends on the online event", async () => {
    outbox.startOutbox();
    outbox.setUser("alice");
    window.dispatchEvent(new Event("offline"));
    await vi.waitFor(() => expect(latest().online).toBe(false));
    await outbox.enqueue({ method: "POST", path: "/x/", body: {}, summary: "x" });
    await outbox.flush();
    expect(calls).toHaveLength(0);
    expect(latest()).toMatchObject({ pending: 1, online: false });

    window.dispatchEvent(new Event("online"));
    await vi.waitFor(async () => expect(await outbox.entriesForUser()).toEqual([]));
    expect(sentPaths()).toEqual(["/x/"]);
    expect(latest()).toMatchObject({ pending: 0, online: true });
  });

  it("retries at once on the online event without waiting out the backoff", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1); // the retry timer would wait 1.25 s
    replies("offline", ok);
    outbox.startOutbox();
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/x/", body: {}, summary: "x" });
    await outbox.flush();
    expect((await entry(key))?.nextAttemptAt).toBeGreaterThan(Date.now() + 1000);

    window.dispatchEvent(new Event("online"));
    await vi.waitFor(() => expect(calls).toHaveLength(2), { timeout: 500 });
    await outbox.flush();
    expect(await outbox.entriesForUser()).toEqual([]);
  });

  it("retries by itself when the backoff is over", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0); // 750 ms
    replies({ status: 500 }, ok);
    outbox.startOutbox();
    outbox.startOutbox(); // idempotent
    outbox.setUser("alice");
    await outbox.enqueue({ method: "POST", path: "/x/", body: {}, summary: "x" });
    await vi.waitFor(async () => expect(await outbox.entriesForUser()).toEqual([]), { timeout: 3000 });
    expect(calls).toHaveLength(2);
  });

  it("flushes when the page becomes visible again", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1); // the retry timer would wait 1.25 s
    replies("offline", ok);
    outbox.startOutbox();
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/x/", body: {}, summary: "x" });
    await outbox.flush();
    expect(calls).toHaveLength(1);

    await afterBackoff(key);
    expect(document.visibilityState).toBe("visible");
    document.dispatchEvent(new Event("visibilitychange"));
    await vi.waitFor(() => expect(calls).toHaveLength(2), { timeout: 500 });
    await outbox.flush();
    expect(await outbox.entriesForUser()).toEqual([]);
  });

  it("takes the cross-tab lock around a send when navigator.locks exists", async () => {
    const request = vi.fn(async (_name: string, run: () => Promise<void>) => run());
    vi.spyOn(navigator, "locks", "get").mockReturnValue({ request } as unknown as LockManager);
    await queueForAlice("/a/");
    await signIn();
    expect(request).toHaveBeenCalledWith("vigil-outbox", expect.any(Function));
    expect(sentPaths()).toEqual(["/a/"]);
  });
});

describe("closeOutbox", () => {
  it("forgets the session and the cached state, so one module instance can serve the next test", async () => {
    await queueForAlice("/a/");
    expect(latest().pending).toBe(1);
    await outbox.closeOutbox();

    vi.stubGlobal("indexedDB", new IDBFactory());
    expect(latest()).toMatchObject({ pending: 0, needsLogin: false });
    await expect(outbox.enqueue({ method: "POST", path: "/x/", body: {}, summary: "x" })).rejects.toThrow();
    await signIn();
    expect(calls).toHaveLength(0);
  });
});

describe("withdraw (an undo before sending)", () => {
  it("takes back an entry still held, and nothing is ever sent", async () => {
    outbox.setUser("alice");
    const key = await outbox.enqueue({
      method: "POST",
      path: "/visits/v1/check-out",
      body: {},
      summary: "Check-out",
      holdMs: 60_000,
    });
    await outbox.flush();
    expect(calls).toEqual([]);
    expect(latest().pending).toBe(1);

    expect(await outbox.withdraw(key)).toBe(true);

    expect(latest().pending).toBe(0);
    await outbox.flush();
    expect(calls).toEqual([]);
  });

  it("answers false for an entry already delivered", async () => {
    outbox.setUser("alice");
    const key = await outbox.enqueue({ method: "POST", path: "/visits/", body: {}, summary: "In" });
    await outbox.flush();
    expect(sentPaths()).toEqual(["/visits/"]);

    expect(await outbox.withdraw(key)).toBe(false);
  });

  it("sends a held entry once its time has come", async () => {
    outbox.setUser("alice");
    const key = await outbox.enqueue({
      method: "POST",
      path: "/visits/v1/check-out",
      body: {},
      summary: "Check-out",
      holdMs: 5_000,
    });
    await afterBackoff(key);
    await outbox.flush();
    expect(sentPaths()).toEqual(["/visits/v1/check-out"]);
  });
});

