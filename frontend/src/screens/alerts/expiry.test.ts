import { describe, expect, it } from "vitest";
import { endOfShift, expiryFor, parseLocal, toLocalInput } from "./expiry";

const at = (h: number, m = 0, day = 1) => new Date(2026, 11, day, h, m, 0, 0);

describe("end of shift", () => {
  it("is the next shift change later the same day", () => {
    expect(endOfShift(at(9, 30))).toEqual(at(15));
    expect(endOfShift(at(15, 0))).toEqual(at(23));
    expect(endOfShift(at(6, 59))).toEqual(at(7));
  });

  it("is tomorrow morning's change during the night shift", () => {
    expect(endOfShift(at(23, 30))).toEqual(at(7, 0, 2));
  });

  it("crosses a month end", () => {
    const lastDay = new Date(2026, 0, 31, 23, 10);
    expect(endOfShift(lastDay)).toEqual(new Date(2026, 1, 1, 7, 0));
  });
});

describe("expiry presets", () => {
  const now = at(10, 15);

  it("adds two hours or a day", () => {
    expect(expiryFor("2h", now)).toEqual({ at: at(12, 15) });
    expect(expiryFor("24h", now)).toEqual({ at: at(10, 15, 2) });
    expect(expiryFor("shift", now)).toEqual({ at: at(15) });
  });

  it("reads a typed time, refusing a past, missing or too distant one", () => {
    expect(expiryFor("custom", now, "2026-12-01T18:30")).toEqual({ at: at(18, 30) });
    expect(expiryFor("custom", now, "")).toEqual({ error: "missing" });
    expect(expiryFor("custom", now, "2026-12-01T09:00")).toEqual({ error: "past" });
    expect(expiryFor("custom", now, "2027-06-01T09:00")).toEqual({ error: "tooFar" });
  });
});

describe("local input values", () => {
  it("round-trip a time to the minute", () => {
    expect(toLocalInput(at(8, 5))).toBe("2026-12-01T08:05");
    expect(parseLocal(toLocalInput(at(8, 5)))).toEqual(at(8, 5));
    expect(parseLocal("tomorrow")).toBeNull();
  });
});
