import type { Floor, FloorVisit } from "../api";

/**
 * The last floor the server gave, kept on the tablet so that a Wi-Fi drop or an offline reload
 * still shows every occupied booth, its timer and the alerts. What is kept is what the floor
 * shows and nothing more: never a visit code (the API has none) and never a participant id.
 */
const PREFIX = "vigil.floor.";

export interface KeptFloor {
  floor: Floor;
  /** When the server gave it (ISO): the screen says "as of 14:02". */
  at: string;
}

function withoutPerson(visit: FloorVisit): FloorVisit {
  return { ...visit, participant: null };
}

/** The floor as it may be stored: the person behind each visit removed. */
export function storable(floor: Floor): Floor {
  return {
    ...floor,
    booths: floor.booths.map((b) => ({ ...b, visit: b.visit ? withoutPerson(b.visit) : null })),
    service_visits: floor.service_visits.map(withoutPerson),
  };
}

export function keepFloor(site: string, floor: Floor, at: string): void {
  try {
    localStorage.setItem(PREFIX + site, JSON.stringify({ floor: storable(floor), at }));
  } catch {
    // Storage full or blocked: the floor is still kept in memory.
  }
}

export function keptFloor(site: string): KeptFloor | null {
  try {
    const raw = localStorage.getItem(PREFIX + site);
    if (!raw) return null;
    const kept = JSON.parse(raw) as Partial<KeptFloor>;
    return kept.floor && typeof kept.at === "string" ? { floor: kept.floor, at: kept.at } : null;
  } catch {
    return null;
  }
}

/** Signing out forgets every kept floor. */
export function forgetFloors(): void {
  try {
    const keys: string[] = [];
    for (let i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i) ?? "");
    for (const key of keys) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
  } catch {
    // Nothing kept.
  }
}
