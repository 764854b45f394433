import { useCallback, useEffect, useState } from "preact/hooks";
import { api, call, type Site, type SiteStock } from "../../api";
import { useI18n } from "../../i18n";
import { useOutbox, useReloadOnDelivery } from "../../state/hooks";
import { siteDateTime } from "../review/format";
import { warningText } from "./stock";
import "./stock.css";

/** The site's stock for a screen: read once, again whenever the outbox delivers a write. */
export function useStock(site: string): SiteStock | null {
  const { state } = useOutbox();
  const [stock, setStock] = useState<SiteStock | null>(null);
  const load = useCallback(() => {
    call(api.GET("/api/v1/stock/", { params: { query: { site } } }))
      .then(setStock)
      // Offline or refused: the floor goes on without the stock line.
      .catch(() => undefined);
  }, [site]);
  useEffect(load, [load]);
  useReloadOnDelivery(state.pending, load);
  return stock;
}

/** The way to the shift check and the stock, in the floor's title row (no line of its own). */
export function StockLinks() {
  const { t } = useI18n();
  return (
    <span class="stock-links">
      <a class="btn btn-quiet btn-small" href="#/shift-check">
        {t("stockNotice.shiftCheck")}
      </a>
      <a class="btn btn-quiet btn-small" href="#/stock">
        {t("stockNotice.stock")}
      </a>
    </span>
  );
}

/**
 * On the floor board, quiet but visible: what is below par, expiring or not ready, and the
 * last handover note. Nothing at all when there is nothing to say, so the booths keep the
 * first screen.
 */
export function StockNotice({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const stock = useStock(site.slug);
  const warnings = stock?.warnings ?? [];
  const check = stock?.last_check ?? null;
  if (warnings.length === 0 && !check?.handover_note) return null;
  return (
    <section class="stock-notice" aria-label={t("stockNotice.label")} data-testid="stock-notice">
      {warnings.length > 0 && (
        <ul class="stock-warnings">
          {warnings.map((warning, index) => (
            <li key={index} class={`stock-warning stock-warning-${warning.kind}`}>
              {warningText(warning, t, lang)}
            </li>
          ))}
        </ul>
      )}
      {check?.handover_note ? (
        <p class="stock-handover">
          <span class="muted">
            {t("stockNotice.handover", {
              who: check.created_by_name || check.created_by,
              time: siteDateTime(check.at, site, lang),
            })}
          </span>{" "}
          {check.handover_note}
        </p>
      ) : null}
    </section>
  );
}
