import { useState } from "preact/hooks";
import type { Site } from "../../api";
import { useI18n, type MessageKey } from "../../i18n";
import { discard, fix, type OutboxEntry } from "../../outbox";
import { useFloor, useOutbox } from "../../state/hooks";
import { Button, Notice, ScreenHead } from "../../ui";
import { visitsByBooth } from "./occupancy";
import { timeOfDay } from "./time";

/** The fields a floor record is refused for, in the worker's words rather than the API's. */
const FIELD_NAMES: Record<string, MessageKey> = {
  booth: "outbox.field.booth",
  code: "checkIn.code",
  checked_in_at: "outbox.field.checkedInAt",
  checked_out_at: "outbox.field.checkedOutAt",
  started_at: "outbox.field.startedAt",
  at: "outbox.field.at",
  visit: "outbox.field.visit",
  responders: "review.responders",
  outcome: "recorder.outcome",
  ended_at: "outbox.field.endedAt",
  override_reason: "checkIn.overrideReason",
};

interface FreeBooth {
  id: string;
  label: string;
}

/**
 * What the tablet still holds. A record the server refused waits here with the server's words
 * until the worker fixes the named fields or, deliberately, drops it.
 */
export function OutboxScreen({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const outbox = useOutbox();
  const { state, entries } = outbox;
  const { floor, pending } = useFloor(site.slug, state.pending, outbox.pending);
  const occupied = visitsByBooth(
    floor?.booths.flatMap((b) => (b.visit ? [b.visit] : [])) ?? [],
    pending,
  );
  const booths = (floor?.booths ?? site.booths.filter((b) => b.active !== false)).filter(
    (b) => !occupied.has(b.id),
  );

  return (
    <main class="screen" aria-labelledby="outbox-title">
      <ScreenHead id="outbox-title" title={t("outbox.title")} />
      {state.needsLogin && <Notice kind="info">{t("outbox.needsLogin")}</Notice>}
      {!state.online && <Notice kind="info">{t("outbox.offline")}</Notice>}
      {state.otherUsers > 0 && (
        <Notice kind="info">{t("outbox.otherUsers", { count: state.otherUsers })}</Notice>
      )}
      {entries.length === 0 && <p class="lede">{t("outbox.allSent")}</p>}
      <ol class="rows">
        {entries.map((entry) => (
          <li key={entry.key} class="row row-wrap">
            <span class="row-main">
              {entry.summary} · {timeOfDay(entry.createdAt, lang)}
            </span>
            <span class={`tag ${entry.status === "parked" ? "tag-danger" : ""}`}>
              {t(entry.status === "parked" ? "outbox.parked" : "outbox.queuedTag")}
            </span>
            {entry.status === "parked" && <ParkedEntry entry={entry} freeBooths={booths} />}
          </li>
        ))}
      </ol>
    </main>
  );
}

/** The server's message, an editable value per field it named, and an explicit drop. */
function ParkedEntry({ entry, freeBooths }: { entry: OutboxEntry; freeBooths: FreeBooth[] }) {
  const { t } = useI18n();
  const fields = entry.error?.fields ?? {};
  const editable = Object.keys(fields).filter(
    (name) => name !== "code" && (typeof entry.body[name] === "string" || entry.body[name] === undefined),
  );
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(editable.map((name) => [name, String(entry.body[name] ?? "")])),
  );
  const [confirmDrop, setConfirmDrop] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  /** Sent again with the values given; a refused restriction needs the override's reason. */
  function sendAgain() {
    if ("override_reason" in fields && !values["override_reason"]?.trim()) {
      setProblem(t("checkIn.overrideNeeded"));
      return;
    }
    void fix(entry.key, { ...entry.body, ...values });
  }

  return (
    <div class="parked">
      <Notice kind="error">{entry.error?.detail ?? t("outbox.parked")}</Notice>
      {Object.entries(fields).map(([name, messages]) => (
        <div key={name} class="field">
          <label for={`fix-${entry.key}-${name}`}>
            {FIELD_NAMES[name] ? t(FIELD_NAMES[name]) : name}
          </label>
          {name === "booth" && editable.includes(name) ? (
            <div
              class="booth-picks"
              role="group"
              aria-label={t("outbox.field.booth")}
              data-testid="fix-booth"
            >
              {freeBooths.map((b) => (
                <button
                  key={b.id}
                  type="button"
                  class="chip chip-booth"
                  aria-pressed={values[name] === b.id ? "true" : "false"}
                  onClick={() => setValues({ ...values, [name]: b.id })}
                >
                  {t("floor.booth", { label: b.label })}
                </button>
              ))}
            </div>
          ) : editable.includes(name) && (
            <input
              id={`fix-${entry.key}-${name}`}
              value={values[name] ?? ""}
              onInput={(e) => {
                setValues({ ...values, [name]: e.currentTarget.value });
                setProblem(null);
              }}
            />
          )}
          <ul class="field-errors">
            {messages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </div>
      ))}
      {problem && <Notice kind="error">{problem}</Notice>}
      <div class="button-row">
        <Button variant="primary" onClick={sendAgain}>
          {t("outbox.sendAgain")}
        </Button>
        {fields["code"] && typeof entry.body["code"] === "string" && (
          <Button
            onClick={() => {
              const { code: _refused, ...anonymous } = entry.body;
              void fix(entry.key, anonymous);
            }}
          >
            {t("outbox.sendAnonymous")}
          </Button>
        )}
        {confirmDrop ? (
          <button type="button" class="btn btn-danger" onClick={() => void discard(entry.key)}>
            {t("outbox.dropConfirm")}
          </button>
        ) : (
          <Button onClick={() => setConfirmDrop(true)}>{t("outbox.drop")}</Button>
        )}
      </div>
    </div>
  );
}
