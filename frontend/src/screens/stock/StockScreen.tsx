import { useState } from "preact/hooks";
import type { Site, StockItem } from "../../api";
import { useI18n } from "../../i18n";
import { recordReceipt } from "../../state/records";
import { Button, DateInput, Notice, ScreenHead } from "../../ui";
import { useStock } from "./StockNotice";
import { ALL_ITEMS, EXPIRING_ITEMS, calendarDate, warningText } from "./stock";
import "./stock.css";

const MAX_RECEIPT = 10_000;

/** The site's response stock: each item against its par level, its lots in the order they
 * are used (earliest expiry first), what needs attention, and receipts entered with lot and
 * expiry. */
export function StockScreen({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const stock = useStock(site.slug);
  const [item, setItem] = useState<StockItem>("naloxone");
  const [lot, setLot] = useState("");
  const [expires, setExpires] = useState("");
  const [quantity, setQuantity] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [queued, setQueued] = useState(false);
  const [busy, setBusy] = useState(false);

  async function receive() {
    const count = Number(quantity);
    if (!Number.isInteger(count) || count < 1 || count > MAX_RECEIPT) {
      setProblem(t("stock.needQuantity"));
      return;
    }
    if (EXPIRING_ITEMS.includes(item) && (!lot.trim() || !expires)) {
      setProblem(t("stock.needLotAndExpiry"));
      return;
    }
    setBusy(true);
    await recordReceipt(
      { site: site.slug, item, lot: lot.trim(), expires_on: expires || null, quantity: count },
      t("stock.summaryReceipt", { item: t(`stockItem.${item}`) }),
    );
    setBusy(false);
    setProblem(null);
    setQueued(true);
    setLot("");
    setExpires("");
    setQuantity("");
  }

  return (
    <main class="screen screen-wide stock-screen" aria-labelledby="stock-title">
      <ScreenHead id="stock-title" title={t("stock.title")} />
      <div class="stock-grid">
        <section class="panel" aria-label={t("stock.title")}>
          <table class="stock-table" data-testid="stock-table">
            <thead>
              <tr>
                <th scope="col">{t("stock.item")}</th>
                <th scope="col" class="num">
                  {t("stock.onHand")}
                </th>
                <th scope="col" class="num">
                  {t("stock.par")}
                </th>
                <th scope="col">{t("stock.lots")}</th>
              </tr>
            </thead>
            <tbody>
              {(stock?.items ?? []).map((row) => (
                <tr key={row.item}>
                  <th scope="row">{t(`stockItem.${row.item}`)}</th>
                  <td class={`num${row.on_hand < row.par_level ? " stock-low" : ""}`}>{row.on_hand}</td>
                  <td class="num">{row.par_level}</td>
                  <td>
                    {row.lots.length === 0 ? (
                      <span class="muted">{t("stock.noLots")}</span>
                    ) : (
                      <ul class="stock-lots">
                        {row.lots.map((each) => (
                          <li key={each.lot}>
                            {each.lot ? t("stock.lot", { lot: each.lot }) : t("stock.noLot")}
                            {each.expires_on &&
                              ` · ${t("stock.expires", { date: calendarDate(each.expires_on, lang) })}`}
                            {` · ${t("stock.units", { count: each.on_hand })}`}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <div class="stack">
          <section class="panel" aria-labelledby="stock-warnings-title">
            <h2 id="stock-warnings-title">{t("stock.warnings")}</h2>
            {stock && stock.warnings.length === 0 && <p class="muted">{t("stock.noWarnings")}</p>}
            <ul class="stock-warnings stock-warnings-list">
              {(stock?.warnings ?? []).map((warning, index) => (
                <li key={index} class={`stock-warning stock-warning-${warning.kind}`}>
                  {warningText(warning, t, lang)}
                </li>
              ))}
            </ul>
          </section>
          <section class="panel" aria-labelledby="receipt-title">
            <h2 id="receipt-title">{t("stock.receiveTitle")}</h2>
            <div class="field">
              <label for="receipt-item">{t("stock.item")}</label>
              <select
                id="receipt-item"
                value={item}
                onChange={(e) => setItem(e.currentTarget.value as StockItem)}
              >
                {ALL_ITEMS.map((each) => (
                  <option key={each} value={each}>
                    {t(`stockItem.${each}`)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="receipt-lot">{t("stock.lotNumber")}</label>
              <input
                id="receipt-lot"
                value={lot}
                onInput={(e) => setLot(e.currentTarget.value)}
                autocomplete="off"
                spellcheck={false}
              />
            </div>
            <div class="field">
              <label for="receipt-expiry">{t("stock.expiresOn")}</label>
              <DateInput id="receipt-expiry" value={expires} onValue={setExpires} />
            </div>
            <div class="field">
              <label for="receipt-quantity">{t("stock.quantity")}</label>
              <input
                id="receipt-quantity"
                inputMode="numeric"
                value={quantity}
                onInput={(e) => setQuantity(e.currentTarget.value)}
              />
            </div>
            {problem && <Notice kind="error">{problem}</Notice>}
            {queued && !problem && <Notice kind="info">{t("stock.received")}</Notice>}
            <Button variant="primary" busy={busy} onClick={() => void receive()}>
              {t("stock.receive")}
            </Button>
          </section>
        </div>
      </div>
    </main>
  );
}

