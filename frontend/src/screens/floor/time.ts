import type { Lang } from "../../i18n";
import { formatTime } from "../../i18n/dates";

/** Whole minutes from an ISO time to `now` (never negative: tablet clocks drift). */
export function minutesSince(iso: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
}

/** m:ss, or h:mm:ss past an hour: the recorder's running clock. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** The local time of day of an ISO instant, the site's way (see i18n/dates). */
export function timeOfDay(iso: string, lang: Lang): string {
  return formatTime(iso, lang);
}

/** "25 min", or "11 h 19" past an hour ("679 min" is hard to read at a glance). */
export function duration(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")}`;
}
