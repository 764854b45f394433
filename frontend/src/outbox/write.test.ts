import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mockFetchOffline } from "../test-utils";

type Outbox = typeof import("./index");
type Write = typeof import("./write");

let outbox: Outbox;
let writes: Write;

beforeEach(async () => {
  vi.stubGlobal("indexedDB", new IDBFactory());
  vi.resetModules();
  outbox = await import("./index");
  writes = await import("./write");
  mockFetchOffline(); // queued, not sent: the entries stay to be read
  outbox.setUser("alice");
});

afterEach(async () => {
  await outbox.closeOutbox();
  vi.unstubAllGlobals();
});

describe("typed writes", () => {
  it("queue the schema's path with its parameters filled in, relative to /api/v1", async () => {
    await writes.write({
      method: "POST",
      path: "/api/v1/visits/{visit_id}/check-out",
      params: { visit_id: "v 1" },
      body: { checked_out_at: "2026-11-10T14:20:00Z" },
      summary: "Check-out",
    });

    const [entry] = await outbox.entriesForUser();
    expect(entry).toMatchObject({
      method: "POST",
      path: "/visits/v%201/check-out",
      body: { checked_out_at: "2026-11-10T14:20:00Z" },
    });
  });

  it("refuse a path whose parameter is missing, queueing nothing", async () => {
    await expect(
      writes.write({ method: "POST", path: "/api/v1/incidents/{incident_id}/submit", body: {}, summary: "Submit" }),
    ).rejects.toThrow("needs incident_id");
    expect(await outbox.entriesForUser()).toEqual([]);
  });
});
