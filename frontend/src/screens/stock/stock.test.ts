import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import type { SiteStock, StockWarning } from "../../api";
import { calendarDate, expectedCounts, signed, warningText } from "./stock";

const t = (key: Parameters<typeof translate>[1], values?: Record<string, string | number>) =>
  translate("en", key, values);

function warning(fields: Partial<StockWarning>): StockWarning {
  return {
    kind: "below_par",
    item: "naloxone",
    lot: null,
    expires_on: null,
    on_hand: null,
    par_level: null,
    shortfall: null,
    detail: null,
    ...fields,
  };
}

describe("stock warnings", () => {
  it("says what is below par", () => {
    expect(warningText(warning({ on_hand: 3, par_level: 10 }), t, "en")).toBe(
      "Naloxone: 3 left (par 10)",
    );
  });

  it("names the lot and its expiry date, without shifting the day", () => {
    const text = warningText(
      warning({ kind: "expiring", lot: "NX24", expires_on: "2026-12-01" }),
      t,
      "en",
    );
    expect(text).toBe("Naloxone: lot NX24 expires Dec 1, 2026");
    expect(calendarDate("2026-01-01", "fr")).toBe("1 janv. 2026");
  });

  it("explains equipment found not ready at the last check", () => {
    expect(warningText(warning({ kind: "equipment", item: "aed_pads", detail: "aed_not_ready" }), t, "en")).toBe(
      "AED not ready at the last check",
    );
  });
});

describe("shift check differences", () => {
  it("reads what Vigil expected from the stock", () => {
    const stock = {
      items: [{ item: "naloxone", on_hand: 7, par_level: 10, shortfall: 0, lots: [] }],
      warnings: [],
      last_check: null,
    } as SiteStock;
    expect(expectedCounts(stock)).toEqual({ naloxone: 7 });
    expect(expectedCounts(null)).toEqual({});
  });

  it("signs the difference", () => {
    expect([signed(1), signed(-2), signed(0), signed(null)]).toEqual(["+1", "-2", "0", "—"]);
  });
});
