import { useEffect, useState } from "preact/hooks";
import type { Alert } from "../../api";
import { useI18n } from "../../i18n";
import "../safety/safety.css";

const SEEN_KEY = "vigil.seenAlerts";

function readSeen(): Set<string> | null {
  try {
    const raw = localStorage.getItem(SEEN_KEY);
    return raw ? new Set(JSON.parse(raw) as string[]) : null;
  } catch {
    return null;
  }
}

function keepSeen(ids: Iterable<string>): void {
  try {
    localStorage.setItem(SEEN_KEY, JSON.stringify([...ids]));
  } catch {
    // Not kept: the alert shows as new again after a reload, which is the safe side.
  }
}

/**
 * The site's alerts across the top of the floor. One this tablet has not shown before stands
 * out (a thick border, a "New alert" tag, a slow pulse unless the tablet asks for reduced
 * motion) until someone taps "Seen": no sound, and nothing covers the board, so an overdose in
 * progress is never hidden. The first floor a tablet ever loads marks nothing as new.
 */
export function FloorAlerts({ alerts }: { alerts: Alert[] }) {
  const { t } = useI18n();
  const [seen, setSeen] = useState<Set<string> | null>(readSeen);

  useEffect(() => {
    if (seen === null && alerts.length > 0) {
      const all = new Set(alerts.map((a) => a.id));
      keepSeen(all);
      setSeen(all);
    } else if (seen === null) {
      keepSeen([]);
      setSeen(new Set());
    }
  }, [alerts, seen]);

  function markSeen(id: string): void {
    // Only the ids still shown are kept, so the list never grows.
    const next = new Set([...alerts.map((a) => a.id)].filter((a) => seen?.has(a) || a === id));
    keepSeen(next);
    setSeen(next);
  }

  if (alerts.length === 0) return null;
  return (
    <section class="alerts" aria-label={t("floor.alerts")}>
      {alerts.map((alert) => {
        const isNew = seen !== null && !seen.has(alert.id);
        return (
          <div
            key={alert.id}
            class={`alert alert-${alert.level}${isNew ? " alert-new" : ""}`}
            role="status"
            data-testid={isNew ? "alert-new" : "alert"}
          >
            {isNew && <span class="alert-new-tag">{t("floor.newAlert")}</span>}
            <span class="alert-text">{alert.message}</span>
            {isNew && (
              <button type="button" class="btn btn-secondary btn-small" onClick={() => markSeen(alert.id)}>
                {t("floor.alertSeen")}
              </button>
            )}
          </div>
        );
      })}
    </section>
  );
}
