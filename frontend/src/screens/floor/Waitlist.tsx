import { useRef, useState } from "preact/hooks";
import type { Schemas } from "../../api";
import { useI18n } from "../../i18n";
import type { OutboxEntry } from "../../outbox";
import { navigate } from "../../state/route";
import { waitlistAdd, waitlistLeave } from "../../state/records";
import { Button } from "../../ui";
import { normaliseCode } from "./CodeLookup";
import { minutesSince } from "./time";
import "../safety/safety.css";

type Entry = Schemas["WaitlistEntry"];

interface FreeBooth {
  id: string;
  label: string;
}

interface Props {
  site: string;
  entries: Entry[];
  /** The outbox's entries: adds not sent yet show, leaves not sent yet hide. */
  queued: readonly OutboxEntry[];
  freeBooths: FreeBooth[];
  now: number;
}

interface Listed {
  id: string;
  known: boolean;
  addedAt: string;
  queuedKey: string | null;
}

function listed(entries: Entry[], queued: readonly OutboxEntry[]): Listed[] {
  const leaving = new Set(
    queued.flatMap((e) => {
      const parts = e.path.split("/").filter(Boolean);
      return parts[0] === "waitlist" && parts[2] === "leave" && parts[1] ? [parts[1]] : [];
    }),
  );
  const rows: Listed[] = entries.map((e) => ({
    id: e.id,
    known: e.known,
    addedAt: e.added_at,
    queuedKey: null,
  }));
  const known = new Set(rows.map((r) => r.id));
  for (const entry of queued) {
    const id = String(entry.body["id"] ?? "");
    if (entry.method !== "POST" || entry.path !== "/waitlist/" || known.has(id)) continue;
    rows.push({ id, known: Boolean(entry.body["code"]), addedAt: entry.createdAt, queuedKey: entry.key });
  }
  return rows.filter((r) => !leaving.has(r.id));
}

/**
 * Who waits for a booth, first come first, and for how long (shown while every booth is
 * taken or someone waits). "Check in" opens the check-in
 * with the booth that freed up last offered first (no code to type again); "Left" records a
 * turn-away (capacity).
 */
export function Waitlist({ site, entries, queued, freeBooths, now }: Props) {
  const { t } = useI18n();
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  // Booths seen occupied, then free: the one freed last is offered first.
  const previous = useRef<Set<string>>(new Set(freeBooths.map((b) => b.id)));
  const freedOrder = useRef<string[]>([]);
  const freeNow = new Set(freeBooths.map((b) => b.id));
  for (const booth of freeBooths) {
    if (!previous.current.has(booth.id)) {
      freedOrder.current = [booth.id, ...freedOrder.current.filter((id) => id !== booth.id)];
    }
  }
  previous.current = freeNow;
  const offered =
    freeBooths.find((b) => b.id === freedOrder.current.find((id) => freeNow.has(id))) ??
    freeBooths[0] ??
    null;

  const rows = listed(entries, queued);
  // The list matters when booths are full or someone waits; otherwise it takes no room.
  if (rows.length === 0 && freeBooths.length > 0) return null;

  async function add(withCode: boolean) {
    setBusy(true);
    const normal = withCode ? normaliseCode(code) : "";
    await waitlistAdd({ site, ...(normal ? { code: normal } : {}) }, t("summary.waitlistAdd"));
    setCode("");
    setBusy(false);
  }

  return (
    <section aria-labelledby="waitlist-title" class="panel waitlist" data-testid="waitlist">
      <h2 id="waitlist-title">
        {t("waitlist.title")} {rows.length > 0 && <span class="tag">{rows.length}</span>}
      </h2>
      {freeBooths.length === 0 && <p class="muted">{t("waitlist.full")}</p>}
      {rows.length === 0 ? (
        <p class="muted">{t("waitlist.empty")}</p>
      ) : (
        <ol class="rows">
          {rows.map((row, index) => (
            <li key={row.id}>
              <span class="waitlist-who">
                {row.known
                  ? t("waitlist.person", { n: index + 1 })
                  : t("waitlist.anonymous", { n: index + 1 })}{" "}
                <span class="muted">{t("waitlist.waiting", { minutes: minutesSince(row.addedAt, now) })}</span>
                {row.queuedKey && <span class="tag tag-amber">{t("outbox.queuedTag")}</span>}
              </span>
              {offered && (
                <button
                  type="button"
                  class="btn btn-primary"
                  onClick={() => navigate(`#/check-in?waitlist=${row.id}&booth=${offered.id}`)}
                >
                  {t("waitlist.checkInBooth", { booth: offered.label })}
                </button>
              )}
              <button
                type="button"
                class="btn btn-secondary"
                onClick={() =>
                  void waitlistLeave(row.id, t("summary.waitlistLeave"), row.queuedKey ?? undefined)
                }
              >
                {t("waitlist.left")}
              </button>
            </li>
          ))}
        </ol>
      )}
      <form
        class="waitlist-add"
        autocomplete="off"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void add(true);
        }}
      >
        <div class="field">
          <label for="waitlist-code">{t("waitlist.code")}</label>
          <input
            id="waitlist-code"
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            autocapitalize="characters"
            autocorrect="off"
            spellcheck={false}
            autocomplete="off"
          />
        </div>
        <Button type="submit" variant="secondary" busy={busy}>
          {t("waitlist.add")}
        </Button>
        <button type="button" class="btn btn-quiet" disabled={busy} onClick={() => void add(false)}>
          {t("waitlist.addAnonymous")}
        </button>
      </form>
      <a class="btn btn-quiet" href="#/turnaway">
        {t("turnaways.open")}
      </a>
    </section>
  );
}
