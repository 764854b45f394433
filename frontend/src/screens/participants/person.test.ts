import { describe, expect, it } from "vitest";
import { birthYearError, mergeMoves, type Detail } from "./person";

describe("birth year", () => {
  it("accepts empty (unknown) and plausible years", () => {
    expect(birthYearError("", 2026)).toBeNull();
    expect(birthYearError("  ", 2026)).toBeNull();
    expect(birthYearError("1993", 2026)).toBeNull();
    expect(birthYearError(" 2026 ", 2026)).toBeNull();
  });

  it("refuses what is not a year, or one out of range", () => {
    expect(birthYearError("93", 2026)).toBe("format");
    expect(birthYearError("19a3", 2026)).toBe("format");
    expect(birthYearError("1899", 2026)).toBe("range");
    expect(birthYearError("2027", 2026)).toBe("range");
  });
});

describe("what a merge moves", () => {
  it("lists the other code's records at the site and the other sites it is known at", () => {
    const detail: Detail = {
      id: "b6f0c1e2-0000-4000-8000-000000000000",
      site: "harbour",
      birth_year: null,
      gender: "unknown",
      version: 1,
      first_seen_at: "2026-12-01T10:00:00Z",
      visits_count: 3,
      last_visit_at: null,
      incidents_count: 1,
      services_count: 2,
      referrals_count: 2,
      open_referrals_count: 1,
      last_overdose_at: null,
      seen_at_other_sites: 1,
    };
    expect(mergeMoves(detail)).toEqual({
      visits: 3,
      incidents: 1,
      services: 2,
      referrals: 2,
      openReferrals: 1,
      otherSites: 1,
    });
  });
});
