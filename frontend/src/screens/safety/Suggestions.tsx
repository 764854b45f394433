import { useCallback, useEffect, useState } from "preact/hooks";
import { api, call, type Schemas, type Site } from "../../api";
import { useI18n } from "../../i18n";
import { write } from "../../outbox/write";
import { useOutbox, useReloadOnDelivery } from "../../state/hooks";
import { endOfShift } from "../alerts/expiry";
import "./safety.css";

type Suggestion = Schemas["AlertSuggestion"];

/**
 * Alerts the site's records suggest (an overdose cluster, a worrying drug check), each with
 * its evidence and never a person. Posting one makes the alert with that source, on this site
 * and on the other sites ticked (a network alert), until the end of the shift.
 */
export function Suggestions({ site, otherSites }: { site: Site; otherSites: Site[] }) {
  const { t } = useI18n();
  const { state, entries } = useOutbox();
  const [items, setItems] = useState<Suggestion[] | null>(null);
  const [also, setAlso] = useState<string[]>([]);

  const load = useCallback(async () => {
    try {
      setItems(
        await call(api.GET("/api/v1/alerts/suggestions/", { params: { query: { site: site.slug } } })),
      );
    } catch {
      setItems(null);
    }
  }, [site.slug]);
  useEffect(() => void load(), [load]);
  useReloadOnDelivery(state.pending, () => void load());

  const queued = new Set(entries.map((e) => String(e.body["suggestion"] ?? "")));
  const open = (items ?? []).filter((s) => !queued.has(s.id));

  function describe(s: Suggestion): string {
    const e = s.evidence as Record<string, unknown>;
    return s.source === "overdose_cluster"
      ? t("suggestions.overdose_cluster", {
          count: Number(e["overdoses"]),
          minutes: Number(e["window_minutes"]),
        })
      : t("suggestions.drug_check", {
          substance: String(e["substance"]),
          count: Number(e["checks"]),
        });
  }

  async function post(s: Suggestion) {
    await write({
      method: "POST",
      path: "/api/v1/alerts/",
      body: {
        id: crypto.randomUUID(),
        site: site.slug,
        message: s.suggested_message,
        level: s.level,
        expires_at: endOfShift(new Date()).toISOString(),
        suggestion: s.id,
        ...(also.length > 0 ? { sites: also } : {}),
      },
      summary: t("summary.alertPost"),
    });
  }

  return (
    <section class="panel" aria-labelledby="suggestions-title" data-testid="suggestions">
      <h2 id="suggestions-title">{t("suggestions.title")}</h2>
      {items !== null && open.length === 0 && <p class="muted">{t("suggestions.none")}</p>}
      {open.length > 0 && otherSites.length > 0 && (
        <fieldset class="chips-group">
          <legend>{t("suggestions.otherSites")}</legend>
          <div class="chips">
            {otherSites.map((other) => (
              <button
                key={other.slug}
                type="button"
                class="chip"
                aria-pressed={also.includes(other.slug) ? "true" : "false"}
                onClick={() =>
                  setAlso(
                    also.includes(other.slug)
                      ? also.filter((s) => s !== other.slug)
                      : [...also, other.slug],
                  )
                }
              >
                {other.name}
              </button>
            ))}
          </div>
        </fieldset>
      )}
      <ul class="safety-list">
        {open.map((s) => (
          <li key={s.id} class="safety-item">
            <p>
              <strong>{describe(s)}</strong>
            </p>
            <p>{s.suggested_message}</p>
            <button type="button" class="btn btn-primary" onClick={() => void post(s)}>
              {t("suggestions.post")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
