import { describe, expect, it } from "vitest";
import { daysOf, monthRange, presetRange, todayIn } from "./dates";
import { figureAt, rowsOf, SECTIONS } from "./indicators";

describe("report periods", () => {
  it("takes today in the site's time zone, not the tablet's", () => {
    const lateEvening = new Date("2026-03-09T03:30:00Z"); // 22:30 on the 8th in Toronto, 04:30 on the 9th in Paris
    expect(todayIn("America/Toronto", lateEvening)).toBe("2026-03-08");
    expect(todayIn("Europe/Paris", lateEvening)).toBe("2026-03-09");
  });

  it("gives each preset its dates", () => {
    expect(presetRange("today", "2026-03-01")).toEqual({ from: "2026-03-01", to: "2026-03-01" });
    expect(presetRange("yesterday", "2026-03-01")).toEqual({ from: "2026-02-28", to: "2026-02-28" });
    expect(presetRange("last7", "2026-03-01")).toEqual({ from: "2026-02-22", to: "2026-02-28" });
    expect(presetRange("thisMonth", "2026-03-15")).toEqual({ from: "2026-03-01", to: "2026-03-15" });
    expect(presetRange("lastMonth", "2026-03-15")).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    expect(presetRange("lastMonth", "2026-01-10")).toEqual({ from: "2025-12-01", to: "2025-12-31" });
  });

  it("lists the days of a range across a DST change and a month end", () => {
    expect(daysOf({ from: "2026-03-07", to: "2026-03-09" })).toEqual([
      "2026-03-07",
      "2026-03-08",
      "2026-03-09",
    ]);
    expect(monthRange("2028-02")).toEqual({ from: "2028-02-01", to: "2028-02-29" });
  });
});

describe("indicators", () => {
  const metrics = {
    visits: 135,
    visits_by_substance: { fentanyl: 73, crack: 24 },
    overdoses: "<10",
    referrals_by_category: { oat: 0, housing: "<10" },
  };

  it("opens nested maps into a row per value, after their total", () => {
    const rows = rowsOf(SECTIONS[0]!, metrics).map((row) => row.path);
    expect(rows).toContain("visits_by_substance");
    expect(rows.indexOf("visits_by_substance.fentanyl")).toBe(rows.indexOf("visits_by_substance") + 1);
  });

  it("reads figures, sums a nested map, and keeps suppressed cells as the server gave them", () => {
    expect(figureAt(metrics, "visits")).toBe(135);
    expect(figureAt(metrics, "visits_by_substance")).toBe(97);
    expect(figureAt(metrics, "visits_by_substance.crack")).toBe(24);
    expect(figureAt(metrics, "overdoses")).toBe("<10");
    expect(figureAt(metrics, "referrals_by_category")).toBeNull();
    expect(figureAt(undefined, "visits")).toBeNull();
  });
});
