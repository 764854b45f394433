import { describe, expect, it } from "vitest";
import type { OutboxEntry } from "../outbox";
import { mergePending, pendingRecords, queuedEdits, queuedOnset } from "./records";

function entry(key: string, path: string, body: Record<string, unknown>): OutboxEntry {
  return {
    key,
    seq: 1,
    user: "sam",
    method: "POST",
    path,
    body,
    summary: "",
    createdAt: "2026-12-01T10:00:00Z",
    attempts: 0,
    nextAttemptAt: 0,
    status: "pending",
  };
}

describe("queued records", () => {
  const checkIn = entry("k1", "/visits/", {
    id: "v1",
    booth: "b3",
    kind: "consumption",
    checked_in_at: "2026-12-01T10:00:00Z",
    substances: ["fentanyl"],
  });
  const checkOut = entry("k2", "/visits/v0/check-out", { checked_out_at: "2026-12-01T10:01:00Z" });
  const tap = entry("k3", "/incidents/i1/actions/", {
    id: "a1",
    kind: "naloxone",
    at: "2026-12-01T10:02:00Z",
    dose_mg: 0.4,
    route: "IM",
  });

  it("reads check-ins, check-outs and taps back from the outbox, never a code", () => {
    const pending = pendingRecords([
      { ...checkIn, body: { ...checkIn.body, code: "MAKO1993" } },
      checkOut,
      tap,
    ]);

    expect(pending.visits).toEqual([
      {
        id: "v1",
        key: "k1",
        booth: "b3",
        kind: "consumption",
        checked_in_at: "2026-12-01T10:00:00Z",
        substances: ["fentanyl"],
      },
    ]);
    expect(JSON.stringify(pending)).not.toContain("MAKO1993");
    expect(pending.checkOuts.get("v0")).toBe("k2");
    expect(pending.actions[0]).toMatchObject({ incident: "i1", kind: "naloxone", dose_mg: 0.4 });
    expect(pending.keyOf.get("v1")).toBe("k1");
  });

  it("keeps what was just delivered beside what is still queued, once each", () => {
    const before = pendingRecords([checkIn, checkOut]);
    const now = pendingRecords([checkOut, tap]);

    const merged = mergePending(before, now);

    expect(merged.visits.map((v) => v.id)).toEqual(["v1"]);
    expect([...merged.checkOuts.keys()]).toEqual(["v0"]);
    expect(merged.actions.map((a) => a.id)).toEqual(["a1"]);
  });

  it("reads a queued void as the action taken back, not as a new tap", () => {
    const voiding = entry("k4", "/incidents/i1/actions/a1/void", { reason: "Mis-tap" });

    const pending = pendingRecords([tap, voiding]);

    expect(pending.actions.map((a) => a.id)).toEqual(["a1"]);
    expect([...pending.voidedActions]).toEqual(["a1"]);
  });
});

describe("an onset moved while the incident waits in the outbox", () => {
  const edit = (key: string, body: Record<string, unknown>): OutboxEntry => ({
    ...entry(key, "/incidents/i1", body),
    method: "PATCH",
  });

  it("shows the newest onset queued, and counts each queued edit for the next version", () => {
    const entries = [
      entry("k1", "/incidents/", { id: "i1", started_at: "2026-12-01T10:10:00Z" }),
      edit("k2", { started_at: "2026-12-01T10:05:00Z", version: 1 }),
      edit("k3", { started_at: "2026-12-01T10:00:00Z", version: 2 }),
      entry("k4", "/incidents/i1/actions/", { id: "a1", kind: "vitals", at: "2026-12-01T10:11:00Z", spo2: 85, resp_rate: 6 }),
    ];
    expect(queuedOnset(entries, "i1")).toBe("2026-12-01T10:00:00Z");
    expect(queuedOnset(entries, "i2")).toBeNull();
    expect(queuedEdits(entries, "i1")).toBe(2);
    // A queued vitals tap keeps its readings, so the timeline shows them before they are sent.
    expect(pendingRecords(entries).actions[0]).toMatchObject({ spo2: 85, resp_rate: 6 });
  });
});
