import { afterEach, describe, expect, it } from "vitest";
import type { Floor } from "../api";
import { floorOf } from "../test-utils";
import { forgetFloors, keepFloor, keptFloor, storable } from "./keptFloor";

const PERSON = "11111111-2222-3333-4444-555555555555";

function withPerson(): Floor {
  const floor = floorOf({ b2: { id: "v2", minutes: 25 } }) as unknown as Floor;
  const booths = floor.booths.map((b) => ({ ...b, visit: b.visit ? { ...b.visit, participant: PERSON } : null }));
  const visit = booths[1]?.visit;
  if (!visit) throw new Error("no visit");
  return { ...floor, booths, service_visits: [{ ...visit, id: "v9", booth: null, booth_label: null }] };
}

afterEach(() => localStorage.clear());

describe("the floor kept on the tablet", () => {
  it("holds the booths, check-in times and alerts, but no participant id", () => {
    const floor = withPerson();
    keepFloor("harbour", floor, "2026-12-01T14:02:00Z");

    const raw = localStorage.getItem("vigil.floor.harbour") ?? "";
    expect(raw).not.toContain("11111111-2222");
    const kept = keptFloor("harbour");
    expect(kept?.at).toBe("2026-12-01T14:02:00Z");
    expect(kept?.floor.booths[1]?.visit?.checked_in_at).toBe(floor.booths[1]?.visit?.checked_in_at);
    expect(kept?.floor.booths[1]?.visit?.participant).toBeNull();
    expect(kept?.floor.service_visits[0]?.participant).toBeNull();
  });

  it("is per site, and forgotten at sign-out", () => {
    keepFloor("harbour", withPerson(), "2026-12-01T14:02:00Z");
    expect(keptFloor("eastside")).toBeNull();
    localStorage.setItem("vigil.lang", "fr");

    forgetFloors();

    expect(keptFloor("harbour")).toBeNull();
    expect(localStorage.getItem("vigil.lang")).toBe("fr");
  });

  it("does not change the floor shown", () => {
    const floor = withPerson();
    storable(floor);
    expect(floor.booths[1]?.visit?.participant).not.toBeNull();
  });
});
