import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatDay, formatHour, formatMonth, formatTime, isoDate, localeOf } from "./dates";

const EVENING = "2026-12-05T20:58:00Z";
const UTC = { timeZone: "UTC" };

describe("dates the site's way", () => {
  it("uses the Canadian locales", () => {
    expect(localeOf("en")).toBe("en-CA");
    expect(localeOf("fr")).toBe("fr-CA");
  });

  it("writes times 24-hour in French and never as the US 08:58 PM", () => {
    expect(formatTime(EVENING, "fr", UTC)).toMatch(/^20 h 58$/);
    const english = formatTime(EVENING, "en", UTC);
    expect(english).toMatch(/^8:58\sp\.m\.$/);
    expect(english).not.toMatch(/PM|^08/);
    expect(formatHour(EVENING, "en", UTC)).toMatch(/^8\sp\.m\.$/);
    expect(formatHour(EVENING, "fr", UTC)).toBe("20 h");
  });

  it("writes dates day before month in French and never in US numeric order", () => {
    expect(formatDate(EVENING, "fr", UTC)).toBe("5 déc. 2026");
    const english = formatDate(EVENING, "en", UTC);
    expect(english).toMatch(/Dec\.? 5, 2026/);
    expect(english).not.toContain("12/5/2026");
    expect(formatDateTime(EVENING, "fr", UTC)).toContain("20 h 58");
    expect(formatDateTime(EVENING, "fr", { ...UTC, noYear: true })).toBe("5 déc., 20 h 58");
    expect(formatTime(EVENING, "fr", { ...UTC, seconds: true })).toBe("20:58:00");
    expect(formatTime(EVENING, "en", { ...UTC, seconds: true })).toMatch(/^8:58:00\sp\.m\.$/);
  });

  it("keeps a calendar date on its day in any time zone", () => {
    expect(formatDay("2026-12-01", "fr")).toBe("1 déc. 2026");
    expect(formatDay("2026-12-01", "en", "long")).toMatch(/Tuesday, December 1, 2026/);
    expect(formatMonth("2026-12", "fr")).toBe("décembre 2026");
    expect(formatMonth("2026-12", "en")).toBe("December 2026");
  });

  it("gives date inputs an ISO date, in the site's time zone", () => {
    expect(isoDate(EVENING, "UTC")).toBe("2026-12-05");
    // 20:58 UTC on the 5th is already the 6th in Tokyo, still the 5th in Toronto.
    expect(isoDate(EVENING, "Asia/Tokyo")).toBe("2026-12-06");
    expect(isoDate(EVENING, "America/Toronto")).toBe("2026-12-05");
  });
});
