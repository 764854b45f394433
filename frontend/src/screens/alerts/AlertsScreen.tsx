import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, api, call, type Alert, type Site } from "../../api";
import { useI18n, type Lang } from "../../i18n";
import type { OutboxEntry } from "../../outbox";
import { write } from "../../outbox/write";
import { useOutbox, useReloadOnDelivery } from "../../state/hooks";
import { Button, Chips, Notice, ScreenHead } from "../../ui";
import { entriesTo } from "../../state/records";
import { EXPIRY_PRESETS, endOfShift, expiryFor, toLocalInput, type ExpiryPreset } from "./expiry";
import { Suggestions } from "../safety/Suggestions";
import "./alerts.css";
import { formatDateTime, formatTime } from "../../i18n/dates";

type Level = Alert["level"];
const LEVELS: readonly Level[] = ["info", "warning", "danger"];
const RECENT_COUNT = 20;

/** A time as the floor reads it: the hour today, the day and hour otherwise. */
export function shortTime(iso: string | Date, lang: Lang, now = new Date()): string {
  const at = typeof iso === "string" ? new Date(iso) : iso;
  const sameDay = at.toDateString() === now.toDateString();
  return sameDay ? formatTime(at, lang) : formatDateTime(at, lang, { weekday: true, noYear: true });
}

interface Draft {
  message: string;
  level: Level;
  expires_at?: string;
}

/**
 * Supervisors post notices shown on every tablet of the site (the floor board shows the active
 * ones), correct them while they are shown, and end them early. Every write goes through the
 * outbox: it shows as not sent yet, and the list reloads once the server has it.
 */
export function AlertsScreen({ site, otherSites = [] }: { site: Site; otherSites?: Site[] }) {
  const { t } = useI18n();
  const { state, entries } = useOutbox();
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const page = await call(
        api.GET("/api/v1/alerts/", {
          params: { query: { site: site.slug, page_size: 50 } },
        }),
      );
      setAlerts(page.results);
      setFailure(null);
    } catch (caught) {
      setFailure(caught as ApiError);
    }
  }, [site.slug]);

  useEffect(() => {
    void load();
  }, [load]);
  useReloadOnDelivery(state.pending, () => void load());

  const queuedPosts = entriesTo(entries, "POST", "/alerts/");
  const mine = entries.filter((e) => e.path.startsWith("/alerts/"));
  const parked = mine.filter((e) => e.status === "parked");
  const active = (alerts ?? []).filter((a) => a.active);
  const recent = (alerts ?? []).filter((a) => !a.active).slice(0, RECENT_COUNT);

  async function post({ expires_at, ...draft }: Draft) {
    // A new alert has no expiry to keep: the form always chooses one.
    if (expires_at === undefined) throw new Error("alerts: a new alert needs its expiry");
    await write({
      method: "POST",
      path: "/api/v1/alerts/",
      body: { id: crypto.randomUUID(), site: site.slug, ...draft, expires_at },
      summary: t("summary.alertPost"),
    });
  }

  async function edit(alert: Alert, draft: Draft) {
    await write({
      method: "PATCH",
      path: "/api/v1/alerts/{alert_id}",
      params: { alert_id: alert.id },
      body: { ...draft, version: alert.version },
      summary: t("summary.alertEdit"),
    });
    setEditing(null);
  }

  async function end(alert: Alert) {
    await write({
      method: "POST",
      path: "/api/v1/alerts/{alert_id}/expire",
      params: { alert_id: alert.id },
      body: {},
      summary: t("summary.alertEnd"),
    });
  }

  return (
    <main class="screen alerts-screen" aria-labelledby="alerts-title">
      <ScreenHead id="alerts-title" title={t("alerts.title")} />
      {failure && (
        <Notice kind="error">{failure.isNetwork ? t("error.network") : failure.detail}</Notice>
      )}
      {parked.map((entry) => (
        <div key={entry.key} class="alerts-refused">
          <Notice kind="error">{t("alerts.refused", { detail: entry.error?.detail ?? "" })}</Notice>
          <a class="btn btn-secondary btn-small" href="#/outbox">
            {t("alerts.fixInOutbox")}
          </a>
        </div>
      ))}
      <Suggestions site={site} otherSites={otherSites} />
      <div class="alerts-layout">
        <section class="panel" aria-labelledby="alert-post-title">
          <h2 id="alert-post-title">{t("alerts.post")}</h2>
          <AlertForm idPrefix="new-alert" submitLabel={t("alerts.postButton")} onSubmit={post} />
        </section>
        <div>
          <section aria-labelledby="alerts-active-title">
            <h2 id="alerts-active-title">{t("alerts.active")}</h2>
            {active.length === 0 && queuedPosts.length === 0 && alerts !== null && (
              <p class="muted">{t("alerts.noneActive")}</p>
            )}
            <ul class="alert-list" data-testid="alerts-active">
              {queuedPosts.map((entry) => (
                <QueuedAlert key={entry.key} entry={entry} />
              ))}
              {active.map((alert) => (
                <li key={alert.id} class={`alert-item alert-item-${alert.level}`} aria-label={alert.message}>
                  <AlertSummary alert={alert} />
                  {entries.some((e) => e.path.startsWith(`/alerts/${alert.id}`)) && (
                    <span class="tag tag-amber">{t("alerts.changeQueued")}</span>
                  )}
                  {editing === alert.id ? (
                    <div class="alert-edit">
                      <h3>{t("alerts.editTitle")}</h3>
                      <AlertForm
                        idPrefix={`edit-${alert.id}`}
                        initial={alert}
                        submitLabel={t("alerts.save")}
                        onSubmit={(draft) => edit(alert, draft)}
                        onCancel={() => setEditing(null)}
                      />
                    </div>
                  ) : (
                    <div class="button-row">
                      <button type="button" class="btn btn-secondary" onClick={() => setEditing(alert.id)}>
                        {t("alerts.edit")}
                      </button>
                      <button type="button" class="btn btn-secondary" onClick={() => void end(alert)}>
                        {t("alerts.endNow")}
                      </button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="alerts-recent-title">
            <h2 id="alerts-recent-title">{t("alerts.recent")}</h2>
            {recent.length === 0 && alerts !== null && <p class="muted">{t("alerts.noneRecent")}</p>}
            <ul class="alert-list">
              {recent.map((alert) => (
                <li key={alert.id} class="alert-item alert-item-past" aria-label={alert.message}>
                  <AlertSummary alert={alert} />
                </li>
              ))}
            </ul>
          </section>
        </div>
      </div>
    </main>
  );
}

function AlertSummary({ alert }: { alert: Alert }) {
  const { t, lang } = useI18n();
  return (
    <>
      <p class="alert-item-head">
        <span class={`tag alert-level alert-level-${alert.level}`}>{t(`level.${alert.level}`)}</span>
        <span class="alert-item-message">{alert.message}</span>
      </p>
      <p class="alert-item-meta">
        {alert.active
          ? t("alerts.until", { time: shortTime(alert.expires_at, lang) })
          : t("alerts.endedAt", { time: shortTime(alert.ended_at ?? alert.expires_at, lang) })}
        {" · "}
        {t("alerts.postedBy", { name: alert.created_by, time: shortTime(alert.created_at, lang) })}
        {alert.source !== "manual" && ` · ${t(`alerts.source.${alert.source}`)}`}
        {alert.network_sites.length > 0 && ` · ${t("alerts.network", { sites: alert.network_sites.join(", ") })}`}
        {alert.active && (
          <>
            {" · "}
            <a href={`#/poster/${alert.id}`}>{t("alerts.poster")}</a>
          </>
        )}
      </p>
    </>
  );
}

function QueuedAlert({ entry }: { entry: OutboxEntry }) {
  const { t, lang } = useI18n();
  const level = (LEVELS as readonly string[]).includes(String(entry.body["level"]))
    ? (entry.body["level"] as Level)
    : "info";
  const message = String(entry.body["message"] ?? "");
  return (
    <li class={`alert-item alert-item-${level}`} aria-label={message}>
      <p class="alert-item-head">
        <span class={`tag alert-level alert-level-${level}`}>{t(`level.${level}`)}</span>
        <span class="alert-item-message">{message}</span>
      </p>
      <p class="alert-item-meta">
        {t("alerts.until", { time: shortTime(String(entry.body["expires_at"]), lang) })}{" "}
        <span class="tag tag-amber">{t("outbox.queuedTag")}</span>
      </p>
    </li>
  );
}

interface FormProps {
  idPrefix: string;
  initial?: Alert;
  submitLabel: string;
  onSubmit: (draft: Draft) => Promise<void>;
  onCancel?: () => void;
}

type Choice = ExpiryPreset | "keep";

/** Message, level and expiry; an edit may keep the expiry it has. */
function AlertForm({ idPrefix, initial, submitLabel, onSubmit, onCancel }: FormProps) {
  const { t, lang } = useI18n();
  const [message, setMessage] = useState(initial?.message ?? "");
  const [level, setLevel] = useState<Level>(initial?.level ?? "warning");
  const [choice, setChoice] = useState<Choice>(initial ? "keep" : "shift");
  const [custom, setCustom] = useState(() => toLocalInput(new Date(Date.now() + 4 * 3_600_000)));
  const [errors, setErrors] = useState<{ message?: string; expiry?: string }>({});
  const [busy, setBusy] = useState(false);

  const presets: { value: Choice; label: string }[] = [
    ...(initial
      ? [{ value: "keep" as const, label: t("alerts.keepExpiry", { time: shortTime(initial.expires_at, lang) }) }]
      : []),
    ...EXPIRY_PRESETS.map((preset) => ({
      value: preset,
      label:
        preset === "shift"
          ? t("expiry.shift", { time: shortTime(endOfShift(new Date()), lang) })
          : t(`expiry.${preset}`),
    })),
  ];

  async function submit(event: Event) {
    event.preventDefault();
    const next: typeof errors = {};
    if (!message.trim()) next.message = t("alerts.writeMessage");
    let expires_at: string | undefined;
    if (choice !== "keep") {
      const expiry = expiryFor(choice, new Date(), custom);
      if ("error" in expiry) next.expiry = t(`alerts.expiry.${expiry.error}`);
      else expires_at = expiry.at.toISOString();
    }
    setErrors(next);
    if (next.message || next.expiry) return;
    setBusy(true);
    try {
      await onSubmit({ message: message.trim(), level, ...(expires_at ? { expires_at } : {}) });
      if (!initial) {
        setMessage("");
        setLevel("warning");
        setChoice("shift");
      }
    } finally {
      setBusy(false);
    }
  }

  const messageId = `${idPrefix}-message`;
  return (
    <form class="alert-form" onSubmit={(e) => void submit(e)} noValidate>
      <div class={errors.message ? "field field-invalid" : "field"}>
        <label for={messageId}>{t("alerts.message")}</label>
        <p id={`${messageId}-hint`} class="muted field-hint">
          {t("alerts.messageHint")}
        </p>
        <textarea
          id={messageId}
          rows={3}
          maxLength={500}
          value={message}
          onInput={(e) => setMessage(e.currentTarget.value)}
          aria-invalid={errors.message ? "true" : "false"}
          aria-describedby={`${messageId}-hint${errors.message ? ` ${messageId}-errors` : ""}`}
        />
        {errors.message && (
          <ul id={`${messageId}-errors`} class="field-errors">
            <li>{errors.message}</li>
          </ul>
        )}
      </div>
      <Chips
        label={t("alerts.level")}
        options={LEVELS.map((value) => ({ value, label: t(`level.${value}`) }))}
        selected={[level]}
        onToggle={(value) => setLevel(value as Level)}
        single
      />
      <Chips
        label={t("alerts.expiry")}
        options={presets}
        selected={[choice]}
        onToggle={(value) => setChoice(value as Choice)}
        single
      />
      {choice === "custom" && (
        <div class={errors.expiry ? "field field-invalid" : "field"}>
          <label for={`${idPrefix}-time`}>{t("alerts.customTime")}</label>
          <input
            id={`${idPrefix}-time`}
            type="datetime-local"
            value={custom}
            onInput={(e) => setCustom(e.currentTarget.value)}
            aria-invalid={errors.expiry ? "true" : "false"}
          />
        </div>
      )}
      {errors.expiry && <Notice kind="error">{errors.expiry}</Notice>}
      <div class="button-row">
        <Button type="submit" variant="primary" busy={busy}>
          {submitLabel}
        </Button>
        {onCancel && (
          <button type="button" class="btn btn-quiet" onClick={onCancel}>
            {t("common.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
