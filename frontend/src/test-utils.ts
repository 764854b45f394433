import { vi, type Mock } from "vitest";

export interface Reply {
  status: number;
  body?: unknown;
}

/** The Response a reply stands for: its status, and its body as JSON when it has one. */
function responseOf(reply: Reply): Response {
  const body = reply.body === undefined ? null : JSON.stringify(reply.body);
  return new Response(body, {
    status: reply.status,
    headers: body === null ? {} : { "Content-Type": "application/json" },
  });
}

/** Replaces `fetch` with a mock answering the given replies in order (the last one repeats). */
export function mockFetch(...replies: Reply[]): Mock<typeof fetch> {
  let call = 0;
  const mock = vi.fn<typeof fetch>(async () => {
    const reply = replies[Math.min(call, replies.length - 1)];
    call += 1;
    if (!reply) throw new Error("mockFetch needs at least one reply");
    return responseOf(reply);
  });
  vi.stubGlobal("fetch", mock);
  return mock;
}

/** Replaces `fetch` with one that fails as when the Wi-Fi is down. */
export function mockFetchOffline(): Mock<typeof fetch> {
  const mock = vi.fn<typeof fetch>(async () => {
    throw new TypeError("Failed to fetch");
  });
  vi.stubGlobal("fetch", mock);
  return mock;
}

export function requestOf(mock: Mock<typeof fetch>, index = 0): { url: string; init: RequestInit } {
  const args = mock.mock.calls[index];
  if (!args) throw new Error(`fetch was not called ${index + 1} time(s)`);
  return { url: String(args[0]), init: args[1] ?? {} };
}

export function headersOf(init: RequestInit): Record<string, string> {
  return { ...(init.headers as Record<string, string>) };
}

export const alice = {
  username: "alice",
  display_name: "Alice Tremblay",
  memberships: [
    { site: "downtown", site_name: "Downtown", role: "staff" as const },
    { site: "east-end", site_name: "East End", role: "supervisor" as const },
  ],
};

type Routes = Record<string, Reply | ((init: RequestInit, url: string) => Reply)>;

/**
 * Replaces `fetch` with one that answers by "METHOD /path" (query ignored); an unknown route
 * answers 404, and `offline` routes fail as when the Wi-Fi is down.
 */
export function routeFetch(routes: Routes, offline: readonly string[] = []): Mock<typeof fetch> {
  const mock = vi.fn<typeof fetch>(async (input, init) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname}`;
    if (offline.includes(key) || offline.includes("*")) throw new TypeError("Failed to fetch");
    const route = routes[key];
    const reply = typeof route === "function" ? route(init ?? {}, url.href) : route;
    return responseOf(reply ?? { status: 404, body: { detail: "Not found." } });
  });
  vi.stubGlobal("fetch", mock);
  return mock;
}

export const harbour = {
  slug: "harbour",
  name: "Harbour",
  timezone: "America/Toronto",
  kind: "fixed",
  opening_hours: "",
  observe_amber_minutes: 10,
  observe_red_minutes: 20,
  naloxone_usual_dose_mg: 0.4,
  naloxone_usual_route: "IM",
  booths: [
    { id: "b1", label: "1", kind: "injection", active: true },
    { id: "b2", label: "2", kind: "injection", active: true },
    { id: "b3", label: "3", kind: "inhalation", active: true },
  ],
};

export const staffAtHarbour = {
  username: "sam",
  display_name: "Sam",
  memberships: [{ site: "harbour", site_name: "Harbour", role: "staff" as const }],
  idle_minutes: 15,
};

export function floorOf(visits: Record<string, { id: string; minutes: number }> = {}) {
  return {
    site: "harbour",
    open_visits: Object.keys(visits).length,
    service_visits: [],
    incidents: [],
    alerts: [],
    today: {
      date: "2026-12-01",
      visits: 42,
      unique_participants: 31,
      overdoses: 2,
      naloxone_doses: 3,
      ems_calls: 1,
      services: 12,
      referrals: 2,
    },
    booths: harbour.booths.map((b) => {
      const v = visits[b.id];
      return {
        id: b.id,
        label: b.label,
        kind: b.kind,
        visit: v
          ? {
              id: v.id,
              site: "harbour",
              participant: null,
              kind: "consumption",
              booth: b.id,
              booth_label: b.label,
              checked_in_at: new Date(Date.now() - v.minutes * 60_000).toISOString(),
              checked_out_at: null,
              minutes_in: v.minutes,
              substances: ["fentanyl"],
              routes: ["injection"],
              did_not_consume_reason: "",
              backdated: false,
              voided: false,
              void_reason: "",
              version: 1,
              received_at: new Date().toISOString(),
              updated_at: new Date().toISOString(),
              created_by: "sam",
              participant_visits: 4,
              overdose_last_7_days: false,
              long_open: false,
            }
          : null,
      };
    }),
  };
}
