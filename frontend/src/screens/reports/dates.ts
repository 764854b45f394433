import { isoDate } from "../../i18n/dates";

/** Report periods are local calendar days of the site (docs/domain.md): ISO dates, no times. */

export type Preset = "today" | "yesterday" | "last7" | "thisMonth" | "lastMonth";
export const PRESETS: Preset[] = ["today", "yesterday", "last7", "thisMonth", "lastMonth"];

export interface Range {
  from: string;
  to: string;
}

/** Today's date in a time zone, as YYYY-MM-DD. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return isoDate(now, timeZone);
}

function shift(iso: string, days: number): string {
  const date = new Date(`${iso}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function monthStart(iso: string): string {
  return `${iso.slice(0, 7)}-01`;
}

export function presetRange(preset: Preset, today: string): Range {
  switch (preset) {
    case "today":
      return { from: today, to: today };
    case "yesterday": {
      const day = shift(today, -1);
      return { from: day, to: day };
    }
    case "last7":
      return { from: shift(today, -7), to: shift(today, -1) };
    case "thisMonth":
      return { from: monthStart(today), to: today };
    case "lastMonth": {
      const end = shift(monthStart(today), -1);
      return { from: monthStart(end), to: end };
    }
  }
}

/** Every date of a range, first to last. */
export function daysOf(range: Range): string[] {
  const days: string[] = [];
  for (let day = range.from; day <= range.to && days.length < 400; day = shift(day, 1)) {
    days.push(day);
  }
  return days;
}

/** The calendar month of a YYYY-MM string. */
export function monthRange(month: string): Range {
  const from = `${month}-01`;
  const next = shift(`${month}-28`, 4);
  return { from, to: shift(monthStart(next), -1) };
}
