import { describe, expect, it } from "vitest";
import { compareForReview, filtersFrom, hashFor, listQuery, orderForReview } from "./queue";

const row = (id: string, critical: boolean, due: string, started = "2025-03-01T10:00:00Z") => ({
  id,
  critical,
  review_due_at: due,
  started_at: started,
});

describe("the review queue's order", () => {
  it("puts critical incidents first, then the soonest due", () => {
    const ordered = orderForReview([
      row("a", false, "2025-03-02T09:00:00Z"),
      row("b", true, "2025-03-03T09:00:00Z"),
      row("c", false, "2025-03-01T12:00:00Z"),
      row("d", true, "2025-03-02T08:00:00Z"),
    ]);
    expect(ordered.map((r) => r.id)).toEqual(["d", "b", "c", "a"]);
  });

  it("keeps a critical one first even when a routine one is overdue sooner", () => {
    const ordered = orderForReview([
      row("routine", false, "2020-01-01T00:00:00Z"),
      row("critical", true, "2030-01-01T00:00:00Z"),
    ]);
    expect(ordered.map((r) => r.id)).toEqual(["critical", "routine"]);
  });

  it("compares due times as instants, whatever their offsets", () => {
    // 09:00-05:00 is 14:00Z: later than 13:00Z.
    const ordered = orderForReview([
      row("toronto", false, "2025-03-02T09:00:00-05:00"),
      row("utc", false, "2025-03-02T13:00:00Z"),
    ]);
    expect(ordered.map((r) => r.id)).toEqual(["utc", "toronto"]);
  });

  it("breaks a tie on the due time by the latest onset, then by id, so it is stable", () => {
    const due = "2025-03-02T09:00:00Z";
    const ordered = orderForReview([
      row("b", false, due, "2025-03-01T08:00:00Z"),
      row("c", false, due, "2025-03-01T09:00:00Z"),
      row("a", false, due, "2025-03-01T08:00:00Z"),
    ]);
    expect(ordered.map((r) => r.id)).toEqual(["c", "a", "b"]);
    expect(compareForReview(row("x", true, due), row("x", true, due))).toBe(0);
  });

  it("does not change the list it is given", () => {
    const list = [row("a", false, "2025-03-02T09:00:00Z"), row("b", true, "2025-03-02T09:00:00Z")];
    orderForReview(list);
    expect(list.map((r) => r.id)).toEqual(["a", "b"]);
  });
});

describe("the queue's filters", () => {
  it("opens on what waits for review, and ignores values it does not know", () => {
    expect(filtersFrom(new URLSearchParams("status=bogus&kind=nope&date=yesterday"))).toEqual({
      status: "submitted",
      kind: "",
      date: "",
      critical: false,
      overdue: false,
    });
  });

  it("round-trips through the URL", () => {
    const filters = {
      status: "all",
      kind: "opioid_overdose",
      date: "2025-03-01",
      critical: true,
      overdue: true,
    } as const;
    const hash = hashFor(filters);
    expect(hash).toBe("#/review?status=all&kind=opioid_overdose&date=2025-03-01&critical=true&overdue=true");
    expect(filtersFrom(new URLSearchParams(hash.split("?")[1]))).toEqual(filters);
    expect(hashFor(filtersFrom(new URLSearchParams()))).toBe("#/review");
  });

  it("asks the API for what the filters say, and for every status under “all”", () => {
    expect(listQuery("harbour", filtersFrom(new URLSearchParams()))).toEqual({
      site: "harbour",
      page_size: 100,
      status: "submitted",
    });
    expect(
      listQuery("harbour", filtersFrom(new URLSearchParams("status=all&critical=true&overdue=true"))),
    ).toEqual({ site: "harbour", page_size: 100, critical: true, overdue: true });
  });
});
