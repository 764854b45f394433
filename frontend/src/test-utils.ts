import { vi, type Mock } from "vitest";

export interface Reply {
  status: number;
  body?: unknown;
}

/** Replaces `fetch` with a mock answering the given replies in order (the last one repeats). */
export function mockFetch(...replies: Reply[]): Mock<typeof fetch> {
  let call = 0;
  const mock = vi.fn<typeof fetch>(async () => {
    const reply = replies[Math.min(call, replies.length - 1)];
    call += 1;
    if (!reply) throw new Error("mockFetch needs at least one reply");
    const body = reply.body === undefined ? null : JSON.stringify(reply.body);
    return new Response(body, {
      status: reply.status,
      headers: body === null ? {} : { "Content-Type": "application/json" },
    });
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
