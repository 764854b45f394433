import type { SiteStock, StockItem, StockWarning } from "../../api";
import type { Lang, MessageKey } from "../../i18n";
import { formatDay } from "../../i18n/dates";

/** Counted at the start of every shift, in the order they sit on the crash cart. */
export const CRITICAL_ITEMS: StockItem[] = [
  "naloxone",
  "naloxone_kit",
  "oxygen",
  "bag_valve_mask",
  "aed_pads",
];
export const ALL_ITEMS: StockItem[] = [...CRITICAL_ITEMS, "test_strip", "syringe"];
/** Items whose receipts need a lot number and expiry date (as the server requires). */
export const EXPIRING_ITEMS: StockItem[] = ["naloxone", "naloxone_kit", "aed_pads", "test_strip"];

type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** A calendar date (YYYY-MM-DD) as the reader writes it, never shifted by a time zone. */
export function calendarDate(iso: string, lang: Lang): string {
  return formatDay(iso, lang);
}

/** One line of plain words per warning, for the floor board and the stock screen. */
export function warningText(warning: StockWarning, t: Translate, lang: Lang): string {
  const item = t(`stockItem.${warning.item}`);
  switch (warning.kind) {
    case "below_par":
      return t("stockNotice.below_par", { item, onHand: warning.on_hand ?? 0, par: warning.par_level ?? 0 });
    case "expiring":
    case "expired":
      return t(`stockNotice.${warning.kind}`, {
        item,
        lot: warning.lot || "—",
        date: warning.expires_on ? calendarDate(warning.expires_on, lang) : "",
      });
    case "shortfall":
      return t("stockNotice.shortfall", { item, count: warning.shortfall ?? 0 });
    case "equipment":
      return t(`stockNotice.${warning.detail ?? "aed_not_ready"}`);
  }
}

/** What Vigil expected of each counted item (the on-hand read before the count). */
export function expectedCounts(stock: SiteStock | null): Partial<Record<StockItem, number>> {
  const expected: Partial<Record<StockItem, number>> = {};
  for (const row of stock?.items ?? []) expected[row.item] = row.on_hand;
  return expected;
}

/** A count's difference as the check shows it: +1, -2, 0, or a dash when unknown. */
export function signed(difference: number | null): string {
  if (difference === null) return "—";
  return difference > 0 ? `+${difference}` : String(difference);
}
