import type { Site } from "../../api";
import type { Lang } from "../../i18n";
import { formatDateTime, formatTime } from "../../i18n/dates";

/**
 * Times on the supervisor's screens are the site's own clock (its time zone), whatever the
 * desk computer is set to: the review due time and the onset are read against the floor's day.
 */
export function siteDateTime(iso: string, site: Pick<Site, "timezone">, lang: Lang): string {
  return formatDateTime(iso, lang, { timeZone: site.timezone, noYear: true });
}

export function siteTime(iso: string, site: Pick<Site, "timezone">, lang: Lang): string {
  return formatTime(iso, lang, { timeZone: site.timezone, seconds: true });
}

/** Minutes to one decimal, in the reader's language (2.5 / 2,5). */
export function minutes(value: number, lang: string): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value);
}

/** A naloxone dose or total in mg, to two decimals at most. */
export function mg(value: number, lang: string): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value);
}

/** A day of the site's calendar (a restriction's end or review date). */
export function siteDate(iso: string, site: Pick<Site, "timezone">, lang: string): string {
  return new Intl.DateTimeFormat(lang, {
    timeZone: site.timezone,
    day: "numeric",
    month: "short",
    year: "numeric",
  }).format(new Date(iso));
}
