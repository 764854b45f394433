/**
 * Every date and time the app shows, written the way the site's country writes them.
 *
 * Vigil's sites are Canadian: English is en-CA and French fr-CA, whatever the tablet's own
 * language. Times follow the app's language: 24-hour in French ("20 h 58"), the en-CA clock in
 * English ("8:58 p.m."), never the browser's ("08:58 PM" on a French tablet). Numeric dates are
 * ISO (2026-12-05) in both, which is also what date inputs take and give.
 */
import type { Lang } from "./index";

export type When = string | number | Date;

const LOCALES: Record<Lang, string> = { en: "en-CA", fr: "fr-CA" };

/** The locale the app writes dates in for a language. */
export function localeOf(lang: Lang): string {
  return LOCALES[lang];
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(lang: Lang, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${JSON.stringify(options)}`;
  let found = formats.get(key);
  if (!found) {
    // fr-CA writes seconds as "20 h 58 min 00 s": a running record reads 20:58:00.
    const locale = lang === "fr" && options.second ? "fr" : localeOf(lang);
    found = new Intl.DateTimeFormat(locale, options);
    formats.set(key, found);
  }
  return found;
}

/** Where and how much: the site's time zone (else the tablet's); seconds; the year. */
export interface Style {
  timeZone?: string;
  seconds?: boolean;
  /** Leave the year out (a due time this week, a day on this month's list). */
  noYear?: boolean;
  weekday?: boolean;
}

const zone = (style: Style): Intl.DateTimeFormatOptions => (style.timeZone ? { timeZone: style.timeZone } : {});

function clockOf(lang: Lang, style: Style): Intl.DateTimeFormatOptions {
  const seconds: Intl.DateTimeFormatOptions = style.seconds ? { second: "2-digit" } : {};
  return lang === "fr"
    ? { hour: "2-digit", minute: "2-digit", ...seconds, hourCycle: "h23" }
    : { hour: "numeric", minute: "2-digit", ...seconds };
}

function dayOf(style: Style): Intl.DateTimeFormatOptions {
  return {
    ...(style.weekday ? { weekday: "short" } : {}),
    day: "numeric",
    month: "short",
    ...(style.noYear ? {} : { year: "numeric" }),
  };
}

/** The time of day: "8:58 p.m." in English, "20 h 58" in French. */
export function formatTime(at: When, lang: Lang, style: Style = {}): string {
  return format(lang, { ...clockOf(lang, style), ...zone(style) }).format(new Date(at));
}

/** The hour alone, for a time axis: "4 a.m.", "04 h". */
export function formatHour(at: When, lang: Lang, style: Style = {}): string {
  const hour: Intl.DateTimeFormatOptions =
    lang === "fr" ? { hour: "2-digit", hourCycle: "h23" } : { hour: "numeric" };
  return format(lang, { ...hour, ...zone(style) }).format(new Date(at));
}

/** A day of an instant: "Dec. 5, 2026", "5 déc. 2026". */
export function formatDate(at: When, lang: Lang, style: Style = {}): string {
  return format(lang, { ...dayOf(style), ...zone(style) }).format(new Date(at));
}

/** A day and time: "Dec. 5, 2026, 8:58 p.m.", "5 déc. 2026, 20 h 58". */
export function formatDateTime(at: When, lang: Lang, style: Style = {}): string {
  return format(lang, { ...dayOf(style), ...clockOf(lang, style), ...zone(style) }).format(new Date(at));
}

/** A calendar date (YYYY-MM-DD, no time: no time zone can move it to another day). */
export function formatDay(day: string, lang: Lang, style: "short" | "long" | "weekday" = "short"): string {
  const options: Intl.DateTimeFormatOptions =
    style === "long"
      ? { weekday: "long", day: "numeric", month: "long", year: "numeric" }
      : style === "weekday"
        ? { weekday: "short", day: "numeric", month: "short" }
        : { day: "numeric", month: "short", year: "numeric" };
  return format(lang, { ...options, timeZone: "UTC" }).format(new Date(`${day.slice(0, 10)}T12:00:00Z`));
}

/** A calendar month (YYYY-MM): "December 2026", "décembre 2026". */
export function formatMonth(month: string, lang: Lang, style: "long" | "short" = "long"): string {
  return format(lang, { month: style, year: "numeric", timeZone: "UTC" }).format(
    new Date(`${month.slice(0, 7)}-15T12:00:00Z`),
  );
}

/** The ISO date (YYYY-MM-DD) of an instant, in a time zone or the tablet's: a date input's value. */
export function isoDate(at: When, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(at));
}
