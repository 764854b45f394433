import { describe, expect, it } from "vitest";
import { duration } from "./time";

describe("durations on the floor", () => {
  it("reads minutes under an hour, hours and minutes past it", () => {
    expect(duration(0)).toBe("0 min");
    expect(duration(59)).toBe("59 min");
    expect(duration(60)).toBe("1 h 00");
    expect(duration(679)).toBe("11 h 19");
  });
});
