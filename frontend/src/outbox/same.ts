// Does a 409's stored record (`current`) show that what we sent was already recorded?

const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch ms of an ISO 8601 date-time, or null. Fractions past milliseconds are cut. */
function instant(value: string): number | null {
  const match = ISO_TIME.exec(value);
  if (!match) return null;
  const fraction = (match[2] ?? "").slice(0, 4);
  const ms = Date.parse(`${match[1]}${fraction}${match[3]}`);
  return Number.isNaN(ms) ? null : ms;
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== "object";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sameValue(sent: unknown, stored: unknown): boolean {
  if (sent === stored) return true;
  if (sent == null || stored == null) return sent == null && stored == null;
  if (typeof sent === "string" && typeof stored === "string") {
    const a = instant(sent);
    return a !== null && a === instant(stored);
  }
  // Decimals come back as strings ("0.40" for 0.4).
  if (typeof sent === "number" && typeof stored === "string") return stored.trim() !== "" && Number(stored) === sent;
  if (typeof sent === "string" && typeof stored === "number") return sent.trim() !== "" && Number(sent) === stored;
  if (Array.isArray(sent) && Array.isArray(stored)) {
    if (sent.length !== stored.length) return false;
    // The server keeps lists of choices (substances, routes) as sets: order is not content.
    if (sent.every(isPrimitive) && stored.every(isPrimitive)) {
      const rest = [...stored];
      return sent.every((item) => {
        const at = rest.findIndex((other) => sameValue(item, other));
        if (at === -1) return false;
        rest.splice(at, 1);
        return true;
      });
    }
    return sent.every((item, i) => sameValue(item, stored[i]));
  }
  if (isRecord(sent) && isRecord(stored)) return sameContent(sent, stored, false);
  return false;
}

/**
 * True when every key sent has the stored record's value. At the top level `code` is skipped:
 * the stored record names the participant, never the code.
 */
export function sameContent(sent: Record<string, unknown>, stored: Record<string, unknown>, top = true): boolean {
  return Object.entries(sent).every(
    ([name, value]) => (top && name === "code") || sameValue(value, stored[name]),
  );
}
