import type { FloorVisit } from "../../api";
import type { Pending } from "../../state/records";
import type { TileVisit } from "./BoothTile";

/** Open visits per booth: the server's floor, with what the outbox has not sent yet on top. */
export function visitsByBooth(visits: FloorVisit[], pending: Pending): Map<string, TileVisit> {
  const byBooth = new Map<string, TileVisit>();
  for (const visit of visits) {
    if (visit.booth && !pending.checkOuts.has(visit.id)) {
      byBooth.set(visit.booth, {
        id: visit.id,
        checkedInAt: visit.checked_in_at,
        substances: visit.substances,
        visitsCount: visit.participant_visits,
        recentOverdose: visit.overdose_last_7_days,
        longOpen: visit.long_open,
        queued: false,
      });
    }
  }
  for (const visit of pending.visits) {
    if (visit.booth && !pending.checkOuts.has(visit.id)) {
      byBooth.set(visit.booth, {
        id: visit.id,
        checkedInAt: visit.checked_in_at,
        substances: visit.substances,
        visitsCount: null,
        recentOverdose: false,
        longOpen: false,
        queued: true,
      });
    }
  }
  return byBooth;
}

