import { useCallback, useEffect, useState } from "preact/hooks";
import { api, call, type Schemas, type Site } from "../../api";
import { useI18n } from "../../i18n";
import type { OutboxEntry } from "../../outbox";
import { write } from "../../outbox/write";
import { useOutbox, useReloadOnDelivery } from "../../state/hooks";
import { Button, Notice } from "../../ui";
import { timeOfDay } from "./time";
import "../safety/safety.css";

type TurnAway = Schemas["TurnAway"];

/** Turn-aways whose void waits in the outbox: hidden at once, as if already voided. */
export function voidsQueued(queued: readonly OutboxEntry[]): Set<string> {
  return new Set(
    queued.flatMap((e) => {
      const parts = e.path.split("/").filter(Boolean);
      return parts[0] === "turnaways" && parts[2] === "void" && parts[1] ? [parts[1]] : [];
    }),
  );
}

/**
 * Today's turn-aways of the site, newest first, with the time and the reason; one recorded by
 * mistake is voided with a reason (through the outbox, like every floor write).
 */
export function TurnAwaysToday({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const { state, entries } = useOutbox();
  const [items, setItems] = useState<TurnAway[] | null>(null);
  const [offline, setOffline] = useState(false);
  const load = useCallback(() => {
    call(api.GET("/api/v1/turnaways/", { params: { query: { site: site.slug, page_size: 100 } } }))
      .then((page) => {
        setItems(page.results);
        setOffline(false);
      })
      .catch(() => setOffline(true));
  }, [site.slug]);
  useEffect(load, [load]);
  useReloadOnDelivery(state.pending, load);

  const hidden = voidsQueued(entries);
  const shown = (items ?? []).filter((item) => !hidden.has(item.id));
  return (
    <section class="panel turnaways-today" aria-labelledby="turnaways-today-title">
      <h2 id="turnaways-today-title">
        {t("turnaways.today")} {shown.length > 0 && <span class="tag">{shown.length}</span>}
      </h2>
      {offline && <Notice kind="info">{t("turnaways.offline")}</Notice>}
      {items && shown.length === 0 && <p class="muted">{t("turnaways.none")}</p>}
      <ul class="safety-list" data-testid="turnaways-today">
        {shown.map((item) => (
          <li key={item.id} class="safety-item turnaway-row">
            <span class="turnaway-what">
              <strong>{timeOfDay(item.at, lang)}</strong> · {t(`turnawayReason.${item.reason}`)}
            </span>
            <VoidTurnAway id={item.id} time={timeOfDay(item.at, lang)} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function VoidTurnAway({ id, time }: { id: string; time: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  if (!open) {
    return (
      <button
        type="button"
        class="btn btn-secondary"
        aria-label={t("turnaways.voidAt", { time })}
        onClick={() => setOpen(true)}
      >
        {t("turnaways.void")}
      </button>
    );
  }
  return (
    <form
      class="turnaway-void"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!reason.trim()) return setMissing(true);
        void write({
          method: "POST",
          path: "/api/v1/turnaways/{turnaway_id}/void",
          params: { turnaway_id: id },
          body: { reason: reason.trim() },
          summary: t("summary.turnawayVoid"),
        });
        setOpen(false);
      }}
    >
      <div class="field">
        <label for={`void-${id}`}>{t("turnaways.voidReason")}</label>
        <input
          id={`void-${id}`}
          value={reason}
          maxLength={1000}
          onInput={(e) => {
            setReason(e.currentTarget.value);
            setMissing(false);
          }}
        />
      </div>
      {missing && <Notice kind="error">{t("turnaways.needReason")}</Notice>}
      <div class="button-row">
        <Button type="submit" variant="primary">
          {t("turnaways.confirmVoid")}
        </Button>
        <button type="button" class="btn btn-quiet" onClick={() => setOpen(false)}>
          {t("turnaways.keep")}
        </button>
      </div>
    </form>
  );
}
