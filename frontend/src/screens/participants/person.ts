import type { Schemas } from "../../api";

export type Detail = Schemas["ParticipantDetail"];

/** Why a typed birth year is refused, or null: empty (unknown) or a year from 1900 to now. */
export function birthYearError(typed: string, thisYear: number): "format" | "range" | null {
  const value = typed.trim();
  if (value === "") return null;
  if (!/^\d{4}$/.test(value)) return "format";
  const year = Number(value);
  return year < 1900 || year > thisYear ? "range" : null;
}

export interface Moves {
  visits: number;
  incidents: number;
  services: number;
  referrals: number;
  openReferrals: number;
  otherSites: number;
}

/** What a merge moves from the other code's person, as the confirm screen lists it. */
export function mergeMoves(source: Detail): Moves {
  return {
    visits: source.visits_count,
    incidents: source.incidents_count,
    services: source.services_count,
    referrals: source.referrals_count,
    openReferrals: source.open_referrals_count,
    otherSites: source.seen_at_other_sites,
  };
}
