/**
 * When a notice comes off the tablets. A supervisor picks a preset (two hours, the end of the
 * shift, a day) or a time; the server refuses a past expiry or one beyond 90 days.
 */

export type ExpiryPreset = "2h" | "shift" | "24h" | "custom";

export const EXPIRY_PRESETS: readonly ExpiryPreset[] = ["2h", "shift", "24h", "custom"];

/** Shift changes on the floor (local hours): 07:00, 15:00 and 23:00, three 8-hour shifts. */
export const SHIFT_CHANGES: readonly number[] = [7, 15, 23];

const HOUR_MS = 3_600_000;
export const MAX_DAYS = 90;

/** The next shift change strictly after `now`, in the tablet's local time. */
export function endOfShift(now: Date, changes: readonly number[] = SHIFT_CHANGES): Date {
  const hours = [...changes].sort((a, b) => a - b);
  for (let day = 0; day < 2; day++) {
    for (const hour of hours) {
      const at = new Date(now.getFullYear(), now.getMonth(), now.getDate() + day, hour, 0, 0, 0);
      if (at.getTime() > now.getTime()) return at;
    }
  }
  return new Date(now.getTime() + 8 * HOUR_MS);
}

/** A `datetime-local` value ("2026-12-01T18:30") read as local time; null if not a time. */
export function parseLocal(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const at = new Date(y, mo - 1, d, h, mi, 0, 0);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** A time as a `datetime-local` input shows it (local, minutes). */
export function toLocalInput(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

export type Expiry = { at: Date } | { error: "missing" | "past" | "tooFar" };

/** The expiry a preset (or the typed time, for "custom") stands for at `now`. */
export function expiryFor(preset: ExpiryPreset, now: Date, custom = ""): Expiry {
  switch (preset) {
    case "2h":
      return { at: new Date(now.getTime() + 2 * HOUR_MS) };
    case "24h":
      return { at: new Date(now.getTime() + 24 * HOUR_MS) };
    case "shift":
      return { at: endOfShift(now) };
    case "custom": {
      const at = parseLocal(custom);
      if (!at) return { error: "missing" };
      if (at.getTime() <= now.getTime()) return { error: "past" };
      if (at.getTime() > now.getTime() + MAX_DAYS * 24 * HOUR_MS) return { error: "tooFar" };
      return { at };
    }
  }
}
