import { describe, expect, it } from "vitest";
import { sameContent } from "./same";

describe("sameContent (does a 409's stored record confirm what was sent?)", () => {
  const sent = {
    id: "7d1f0c1e-0000-4000-8000-000000000001",
    site: "downtown",
    code: "ZX-4471",
    kind: "supervised",
    booth: "b3",
    checked_in_at: "2025-03-01T14:05:00.000Z",
    substances: ["fentanyl", "crystal_meth"],
    routes: ["inhalation"],
  };
  const stored = {
    id: "7d1f0c1e-0000-4000-8000-000000000001",
    site: "downtown",
    participant: "0b9f...",
    kind: "supervised",
    booth: "b3",
    checked_in_at: "2025-03-01T09:05:00.000000-05:00",
    checked_out_at: null,
    substances: ["crystal_meth", "fentanyl"],
    routes: ["inhalation"],
    version: 1,
  };

  it("ignores code, compares times as instants and choice lists as sets", () => {
    expect(sameContent(sent, stored)).toBe(true);
  });

  it("compares numbers with the server's decimal strings", () => {
    expect(sameContent({ kind: "naloxone", dose_mg: 0.4 }, { kind: "naloxone", dose_mg: "0.40" })).toBe(true);
    expect(sameContent({ dose_mg: 0.4 }, { dose_mg: "0.80" })).toBe(false);
  });

  it("finds any difference in a sent key", () => {
    expect(sameContent(sent, { ...stored, booth: "b4" })).toBe(false);
    expect(sameContent(sent, { ...stored, checked_in_at: "2025-03-01T14:06:00Z" })).toBe(false);
    expect(sameContent(sent, { ...stored, substances: ["fentanyl"] })).toBe(false);
    expect(sameContent({ ...sent, note: "x" }, stored)).toBe(false); // a key the record lacks
    expect(sameContent({ at: "2025-03-01" }, { at: "2025-03-02" })).toBe(false);
  });

  it("treats null and a missing value alike, and recurses into objects", () => {
    expect(sameContent({ booth: null }, {})).toBe(true);
    expect(sameContent({ vitals: { spo2: 88 } }, { vitals: { spo2: 88, resp_rate: 8 } })).toBe(true);
    expect(sameContent({ vitals: { spo2: 88 } }, { vitals: { spo2: 90 } })).toBe(false);
  });
});
