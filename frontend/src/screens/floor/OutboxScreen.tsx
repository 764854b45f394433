import { useState } from "preact/hooks";
import { useI18n } from "../../i18n";
import { discard, fix, type OutboxEntry } from "../../outbox";
import { useOutbox } from "../../state/hooks";
import { Button, Notice, ScreenHead } from "../../ui";
import { timeOfDay } from "./time";

/**
 * What the tablet still holds. A record the server refused waits here with the server's words
 * until the worker fixes the named fields or, deliberately, drops it.
 */
export function OutboxScreen() {
  const { t, lang } = useI18n();
  const { state, entries } = useOutbox();

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
            {entry.status === "parked" && <ParkedEntry entry={entry} />}
          </li>
        ))}
      </ol>
    </main>
  );
}

/** The server's message, an editable value per field it named, and an explicit drop. */
function ParkedEntry({ entry }: { entry: OutboxEntry }) {
  const { t } = useI18n();
  const fields = entry.error?.fields ?? {};
  const editable = Object.keys(fields).filter(
    (name) => name !== "code" && (typeof entry.body[name] === "string" || entry.body[name] === undefined),
  );
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(editable.map((name) => [name, String(entry.body[name] ?? "")])),
  );
  const [confirmDrop, setConfirmDrop] = useState(false);

  return (
    <div class="parked">
      <Notice kind="error">{entry.error?.detail ?? t("outbox.parked")}</Notice>
      {Object.entries(fields).map(([name, messages]) => (
        <div key={name} class="field">
          <label for={`fix-${entry.key}-${name}`}>{name}</label>
          {editable.includes(name) && (
            <input
              id={`fix-${entry.key}-${name}`}
              value={values[name] ?? ""}
              onInput={(e) => setValues({ ...values, [name]: e.currentTarget.value })}
            />
          )}
          <ul class="field-errors">
            {messages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </div>
      ))}
      <div class="button-row">
        <Button variant="primary" onClick={() => void fix(entry.key, { ...entry.body, ...values })}>
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
