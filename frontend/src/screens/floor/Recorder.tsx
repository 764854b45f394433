import { useEffect, useRef, useState } from "preact/hooks";
import {
  ApiError,
  api,
  call,
  type ActionKind,
  type Incident,
  type NaloxoneRoute,
  type Outcome,
  type Site,
  type Substance,
  type User,
} from "../../api";
import { useI18n } from "../../i18n";
import { lastKnownIncident, useNow, useOutbox } from "../../state/hooks";
import { navigate } from "../../state/route";
import { keptFloor } from "../../state/keptFloor";
import {
  checkOut,
  completeIncident,
  moveOnset,
  queuedEdits,
  queuedOnset,
  tapAction,
  UNDO_MS,
  voidAction,
  wasTakenBack,
  type PendingAction,
  type Sign,
  type Tap,
} from "../../state/records";
import { Button, Chips, NarrativeField, Notice, OutcomeChips, Stepper, UndoStrip } from "../../ui";
import { SUBSTANCES } from "./CheckIn";
import { clock, timeOfDay } from "./time";

const MAIN_ACTIONS: ActionKind[] = [
  "stimulation",
  "oxygen",
  "rescue_breathing",
  "naloxone",
  "cpr",
  "aed",
  "ems_called",
  "ems_arrived",
  "vitals",
];
const MORE_ACTIONS: ActionKind[] = [
  "recovery_position",
  "bag_valve_mask",
  "monitoring",
  "transported",
  "other",
];
const DOSES = [0.4, 0.8, 1, 2, 4, 8];
const SIGNS: Sign[] = [
  "slow_or_no_breathing",
  "unresponsive",
  "cyanosis",
  "pinpoint_pupils",
  "seizure",
  "chest_pain",
  "agitation",
  "other",
];
const NALOXONE_ROUTES: NaloxoneRoute[] = ["IM", "IN", "IV"];
// The readings a worker sees most in an overdose, one tap each; −/+ reach any other.
const SPO2_PRESETS = [70, 80, 85, 90, 95, 98];
const RESP_PRESETS = [0, 4, 6, 8, 12, 16];
const ONSET_PRESETS = [2, 5, 10, 15, 30];
const ONSET_MAX_MINUTES = 180;
interface LoggedAction {
  id: string;
  kind: ActionKind;
  at: string;
  dose_mg?: number | null;
  route?: string | null;
  spo2?: number | null;
  resp_rate?: number | null;
  queued: boolean;
}

type Panel = { kind: "none" } | { kind: "naloxone" } | { kind: "vitals" } | { kind: "onset" };

/** The newest tap of this screen: shown in the strip, with Undo until `until`. */
interface LastTap {
  id: string;
  key: string;
  what: string;
  at: string;
  until: number;
  undone: boolean;
}

/**
 * The overdose recorder: a running clock since onset and one large button per action. A tap is
 * timestamped at once and queued, so the worker never waits for the Wi-Fi while they act.
 */
export function Recorder({ site, id, user }: { site: Site; id: string; user: User }) {
  const { t, lang } = useI18n();
  const { pending, entries } = useOutbox();
  const now = useNow(1000);
  const [incident, setIncident] = useState<Incident | null>(null);
  const [loadFailure, setLoadFailure] = useState<ApiError | null>(null);
  const [panel, setPanel] = useState<Panel>({ kind: "none" });
  const [dose, setDose] = useState(site.naloxone_usual_dose_mg ?? 0.4);
  const [route, setRoute] = useState<NaloxoneRoute>(site.naloxone_usual_route ?? "IM");
  const [spo2, setSpo2] = useState<number | null>(null);
  const [respRate, setRespRate] = useState<number | null>(null);
  const [earlierBy, setEarlierBy] = useState(5);
  const [outcome, setOutcome] = useState<Outcome | "">("");
  const [endedAt, setEndedAt] = useState<string | null>(null);
  const [police, setPolice] = useState(false);
  const [narrative, setNarrative] = useState("");
  const [signs, setSigns] = useState<Sign[]>([]);
  const [substances, setSubstances] = useState<Substance[] | null>(null);
  const [responders, setResponders] = useState<string[]>([user.username]);
  const [responder, setResponder] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<LastTap | null>(null);
  const [voiding, setVoiding] = useState<string | null>(null);
  const [voidReason, setVoidReason] = useState("");
  // A returned incident opens to be corrected: a tap on the grid would add an action timed now.
  const [addingActions, setAddingActions] = useState(false);
  const formFrom = useRef(false);

  const queued = pending.incidents.find((i) => i.id === id);
  // Taps seen in the outbox stay listed until the server's copy of the incident has them.
  const [seen, setSeen] = useState<Map<string, PendingAction>>(new Map());
  const mine = pending.actions.filter((a) => a.incident === id && !wasTakenBack(a.key));
  const unseen = mine.filter((a) => !seen.has(a.id));
  if (unseen.length > 0) setSeen(new Map([...seen, ...unseen.map((a) => [a.id, a] as const)]));
  // Everything queued for this incident (taps, voids, the record itself): a delivery reloads it.
  const waiting =
    entries.filter((e) => e.path === `/incidents/${id}` || e.path.startsWith(`/incidents/${id}/`))
      .length + (queued ? 1 : 0);
  const stillQueued = useRef(new Set<string>());
  stillQueued.current = new Set(mine.map((a) => a.id));
  useEffect(() => {
    call(api.GET("/api/v1/incidents/{incident_id}", { params: { path: { incident_id: id } } }))
      .then((found) => {
        setIncident(found);
        // A tap neither on the server nor in the outbox was dropped by the worker: unlist it.
        const onServer = new Set(found.actions.map((a) => a.id));
        setSeen(
          (before) =>
            new Map([...before].filter(([tap]) => onServer.has(tap) || stillQueued.current.has(tap))),
        );
        // The form starts from the stored record once; later reloads must not undo the worker.
        if (formFrom.current) return;
        formFrom.current = true;
        setOutcome(found.outcome);
        setEndedAt(found.ended_at);
        setPolice(found.police_attended);
        setNarrative(found.narrative);
        // Chosen before the incident could be read (it was still in the outbox): kept.
        setSigns((before) => (before.length > 0 ? before : found.signs));
        setSubstances((before) => before ?? found.suspected_substances);
        setResponders((before) => [...new Set([...found.responders, ...before])]);
      })
      .catch((caught: unknown) => setLoadFailure(caught as ApiError));
    // Reload whenever something queued for it has been delivered.
  }, [id, waiting]);

  const onFloor = lastKnownIncident(id);
  const startedAt =
    queuedOnset(entries, id) ??
    incident?.started_at ??
    queued?.started_at ??
    onFloor?.started_at ??
    null;
  const kind = incident?.kind ?? queued?.kind ?? onFloor?.kind ?? "opioid_overdose";
  const after = pending.keyOf.get(id);

  const logged: LoggedAction[] = (incident?.actions ?? [])
    .filter((a) => !a.voided && !pending.voidedActions.has(a.id))
    .map((a) => ({ ...a, queued: false }));
  const known = new Set((incident?.actions ?? []).map((a) => a.id));
  for (const action of seen.values()) {
    if (!known.has(action.id) && !wasTakenBack(action.key) && !pending.voidedActions.has(action.id)) {
      logged.push({ ...action, queued: stillQueued.current.has(action.id) });
    }
  }
  logged.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const naloxone = logged.filter((a) => a.kind === "naloxone");
  const totalMg = naloxone.reduce((sum, a) => sum + Number(a.dose_mg ?? 0), 0);

  if (!startedAt) {
    return (
      <main class="screen">
        <Notice kind="error">
          {loadFailure?.isNetwork ? t("error.network") : t("recorder.notFound")}
        </Notice>
        <a class="btn btn-secondary" href="#/floor">
          {t("common.back")}
        </a>
      </main>
    );
  }

  const suspected = substances ?? queued?.suspected_substances ?? [];

  // Transported: the person has left, so the visit (still open on the floor) is checked out.
  const visitId = incident?.visit ?? queued?.visit ?? null;
  const boothOfVisit =
    keptFloor(site.slug)?.floor.booths.find((b) => b.visit?.id === visitId) ??
    site.booths.find((b) => pending.visits.some((v) => v.id === visitId && v.booth === b.id));
  const openVisit =
    visitId !== null && boothOfVisit !== undefined && !pending.checkOuts.has(visitId)
      ? { id: visitId, label: boothOfVisit.label }
      : null;

  async function record(tap: Tap) {
    setPanel({ kind: "none" });
    const at = new Date().toISOString();
    const { id: action, key } = await tapAction(
      id,
      tap,
      t("summary.action", { action: t(`action.${tap.kind}`) }),
      after,
    );
    setLast({ id: action, key, what: describe(tap), at, until: Date.now() + UNDO_MS, undone: false });
  }

  function describe(action: Tap | LoggedAction): string {
    const name = t(`action.${action.kind}`);
    if (action.kind === "naloxone") return `${name} ${doseText(Number(action.dose_mg))} ${action.route ?? ""}`.trim();
    if (action.kind === "vitals") return `${name} ${readings(action)}`.trim();
    return name;
  }

  function doseText(mg: number): string {
    return `${mg.toLocaleString(lang)} mg`;
  }

  /** Within the undo time: withdrawn if not sent yet, else voided with a standard reason. */
  async function undo(tap: LastTap) {
    setLast({ ...tap, undone: true });
    await voidAction(id, tap, t("recorder.undoReason"), t("summary.voidAction", { action: tap.what }));
  }

  async function voidWithReason(action: LoggedAction) {
    if (!voidReason.trim()) return;
    const key = pending.actions.find((a) => a.id === action.id)?.key;
    setVoiding(null);
    setVoidReason("");
    await voidAction(
      id,
      { id: action.id, key },
      voidReason.trim(),
      t("summary.voidAction", { action: describe(action) }),
    );
  }

  async function setOnset(onset: string) {
    setPanel({ kind: "none" });
    await moveOnset(
      id,
      onset,
      (incident?.version ?? 1) + queuedEdits(entries, id),
      t("summary.onset", { time: timeOfDay(onset, lang) }),
      after,
    );
  }

  const vitals: Tap = {
    kind: "vitals",
    ...(spo2 !== null ? { spo2 } : {}),
    ...(respRate !== null ? { resp_rate: respRate } : {}),
  };

  function tapped(action: ActionKind) {
    if (action === "naloxone") setPanel({ kind: "naloxone" });
    else if (action === "vitals") setPanel({ kind: "vitals" });
    else void record({ kind: action });
  }

  async function submit() {
    if (!outcome || !endedAt) {
      setProblem(t("recorder.completeFirst"));
      return;
    }
    setBusy(true);
    await completeIncident(
      id,
      {
        signs,
        suspected_substances: suspected,
        responders,
        outcome,
        ended_at: endedAt,
        police_attended: police,
        narrative,
        version: (incident?.version ?? 1) + queuedEdits(entries, id),
      },
      { save: t("summary.incidentSave"), submit: t("summary.incidentSubmit") },
      after,
    );
    navigate("#/floor");
  }

  const editable = incident === null || incident.status === "open" || incident.status === "returned";
  const elapsed = (endedAt ? Date.parse(endedAt) : now) - Date.parse(startedAt);

  const lastShown = last ?? lastLogged(logged);
  const live = editable && (incident?.status !== "returned" || addingActions);
  const undoable = last !== null && !last.undone && now < last.until;

  return (
    <main class="screen screen-wide recorder" aria-labelledby="recorder-title">
      <div class="recorder-head">
        <div>
          <h1 id="recorder-title">
            {t(`incidentKind.${kind}`)}
            {incident?.booth_label ? ` · ${t("floor.booth", { label: incident.booth_label })}` : ""}
          </h1>
          <p class="muted recorder-onset">
            {t("recorder.onset", { time: timeOfDay(startedAt, lang) })}
            {live && panel.kind === "none" && (
              <button
                type="button"
                class="btn btn-quiet btn-small"
                onClick={() => {
                  setEarlierBy(5);
                  setPanel({ kind: "onset" });
                }}
              >
                {t("recorder.foundEarlier")}
              </button>
            )}
          </p>
        </div>
        <p class="recorder-clock" role="timer" aria-label={t("recorder.clock")}>
          {clock(elapsed)}
        </p>
        <a class="btn btn-secondary" href="#/floor">
          {t("recorder.toFloor")}
        </a>
      </div>

      {incident?.status === "returned" && (
        <Notice kind="error">
          {t("recorder.returned", { comment: incident.review_comment || "—" })}
        </Notice>
      )}
      {incident?.status === "returned" && !addingActions && (
        <div class="button-row">
          <Button onClick={() => setAddingActions(true)}>{t("recorder.addMissed")}</Button>
        </div>
      )}

      {live && (
        <UndoStrip
          text={
            lastShown === null
              ? t("recorder.nothingYet")
              : last?.undone
                ? t("recorder.lastUndone", { what: last.what })
                : t("recorder.last", {
                    what: lastShown.what,
                    at: clock(Date.parse(lastShown.at) - Date.parse(startedAt)),
                  })
          }
          onUndo={undoable && last ? () => void undo(last) : undefined}
        />
      )}

      {live && panel.kind === "none" && (
        <section aria-label={t("recorder.actions")} class="action-grid">
          {MAIN_ACTIONS.map((action) => (
            <button
              key={action}
              type="button"
              class={`btn action-button action-${action}`}
              onClick={() => tapped(action)}
            >
              {t(`action.${action}`)}
            </button>
          ))}
        </section>
      )}

      {panel.kind === "naloxone" && (
        <section class="panel panel-raised dose-panel" aria-label={t("recorder.naloxoneDose")}>
          <div class="button-row">
            <Button
              variant="primary"
              onClick={() => void record({ kind: "naloxone", dose_mg: dose, route })}
            >
              {t("recorder.recordDose", { dose: doseText(dose), route })}
            </Button>
            <Button onClick={() => setPanel({ kind: "none" })}>{t("common.cancel")}</Button>
          </div>
          <Chips
            label={t("recorder.dose")}
            options={DOSES.map((d) => ({ value: String(d), label: doseText(d) }))}
            selected={[String(dose)]}
            onToggle={(value) => setDose(Number(value))}
            single
          />
          <Chips
            label={t("recorder.route")}
            options={NALOXONE_ROUTES.map((r) => ({ value: r, label: t(`naloxoneRoute.${r}`) }))}
            selected={[route]}
            onToggle={(value) => setRoute(value as NaloxoneRoute)}
            single
          />
        </section>
      )}

      {panel.kind === "vitals" && (
        <section class="panel panel-raised vitals-panel" aria-label={t("action.vitals")}>
          <div class="button-row">
            <button
              type="button"
              class="btn btn-primary"
              disabled={spo2 === null && respRate === null}
              onClick={() => void record(vitals)}
            >
              {spo2 === null && respRate === null
                ? t("recorder.vitalsNone")
                : `${t("recorder.recordVitals")}: ${readings(vitals)}`}
            </button>
            <Button onClick={() => setPanel({ kind: "none" })}>{t("common.cancel")}</Button>
          </div>
          <div class="vitals-steppers">
            <Stepper
              id="vitals-resp"
              label={t("recorder.respRate")}
              value={respRate}
              onValue={setRespRate}
              min={0}
              max={60}
              start={12}
              presets={RESP_PRESETS}
              less={t("recorder.less")}
              more={t("recorder.moreOf")}
            />
            <Stepper
              id="vitals-spo2"
              label={t("recorder.spo2")}
              value={spo2}
              onValue={setSpo2}
              min={30}
              max={100}
              start={90}
              presets={SPO2_PRESETS}
              unit="%"
              less={t("recorder.less")}
              more={t("recorder.moreOf")}
            />
          </div>
        </section>
      )}

      {panel.kind === "onset" && (
        <section class="panel panel-raised onset-panel" aria-label={t("recorder.foundEarlier")}>
          <div class="button-row">
            <button
              type="button"
              class="btn btn-primary"
              disabled={earlierBy === 0}
              onClick={() => void setOnset(onsetEarlier(startedAt, earlierBy))}
            >
              {t("recorder.setOnset", { time: timeOfDay(onsetEarlier(startedAt, earlierBy), lang) })}
            </button>
            <Button onClick={() => setPanel({ kind: "none" })}>{t("common.cancel")}</Button>
          </div>
          <Stepper
            id="onset-earlier"
            label={t("recorder.earlierBy")}
            value={earlierBy}
            onValue={(value) => setEarlierBy(value ?? 0)}
            min={0}
            max={ONSET_MAX_MINUTES}
            start={5}
            presets={ONSET_PRESETS}
            unit=" min"
            less={t("recorder.less")}
            more={t("recorder.moreOf")}
          />
          <p class="muted">
            {t("recorder.onsetBecomes", {
              from: timeOfDay(startedAt, lang),
              to: timeOfDay(onsetEarlier(startedAt, earlierBy), lang),
            })}
          </p>
        </section>
      )}

      {live && panel.kind === "none" && (
        <details class="more-actions">
          <summary class="btn btn-secondary">{t("recorder.more")}</summary>
          <div class="action-grid action-grid-small">
            {MORE_ACTIONS.map((action) => (
              <button
                key={action}
                type="button"
                class="btn btn-secondary"
                onClick={() => tapped(action)}
              >
                {t(`action.${action}`)}
              </button>
            ))}
          </div>
        </details>
      )}

      <section class="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t("recorder.timeline")}</h2>
        <p class="muted">
          {t("recorder.naloxoneSoFar", { count: naloxone.length, mg: totalMg.toLocaleString(lang, { maximumFractionDigits: 2 }) })}
        </p>
        <ol class="timeline" data-testid="timeline">
          {logged.map((action) => (
            <li key={action.id}>
              <span class="timeline-at">
                +{clock(Date.parse(action.at) - Date.parse(startedAt))}
              </span>
              <span class="timeline-what">{describe(action)}</span>
              {action.queued && <span class="tag">{t("outbox.queuedTag")}</span>}
              {editable && voiding !== action.id && (
                <button
                  type="button"
                  class="btn btn-quiet btn-small timeline-void"
                  aria-label={t("recorder.voidOf", { what: describe(action) })}
                  onClick={() => {
                    setVoiding(action.id);
                    setVoidReason("");
                  }}
                >
                  {t("recorder.void")}
                </button>
              )}
              {voiding === action.id && (
                <form
                  class="timeline-void-form"
                  onSubmit={(event) => {
                    event.preventDefault();
                    void voidWithReason(action);
                  }}
                >
                  <label for={`void-${action.id}`}>{t("recorder.voidReason")}</label>
                  <input
                    id={`void-${action.id}`}
                    value={voidReason}
                    required
                    maxLength={1000}
                    onInput={(e) => setVoidReason(e.currentTarget.value)}
                  />
                  <Button type="submit" variant="secondary">
                    {t("recorder.voidConfirm")}
                  </Button>
                  <Button onClick={() => setVoiding(null)}>{t("common.cancel")}</Button>
                </form>
              )}
            </li>
          ))}
        </ol>
      </section>

      {editable && (
        <section class="panel" aria-labelledby="details-title">
          <h2 id="details-title">{t("recorder.details")}</h2>
          <Chips
            label={t("review.signs")}
            options={SIGNS.map((sign) => ({ value: sign, label: t(`review.sign.${sign}`) }))}
            selected={signs}
            onToggle={(value) => setSigns(toggle(signs, value as Sign))}
          />
          <Chips
            label={t("recorder.suspected")}
            options={SUBSTANCES.map((sub) => ({ value: sub, label: t(`substance.${sub}`) }))}
            selected={suspected}
            onToggle={(value) => setSubstances(toggle(suspected, value as Substance))}
          />
          <Chips
            label={t("review.responders")}
            options={responders.map((name) => ({ value: name, label: name }))}
            selected={responders}
            onToggle={(value) => setResponders(responders.filter((r) => r !== value))}
          />
          <form
            class="field-row responder-add"
            onSubmit={(event) => {
              event.preventDefault();
              const name = responder.trim();
              if (name && !responders.includes(name)) setResponders([...responders, name]);
              setResponder("");
            }}
          >
            <div class="field">
              <label for="recorder-responder">{t("recorder.addResponder")}</label>
              <input
                id="recorder-responder"
                value={responder}
                autocapitalize="none"
                autocomplete="off"
                onInput={(e) => setResponder(e.currentTarget.value)}
              />
            </div>
            <Button type="submit" variant="secondary">
              {t("recorder.add")}
            </Button>
          </form>
        </section>
      )}

      {editable && (
        <section class="panel" aria-labelledby="finish-title">
          <h2 id="finish-title">{t("recorder.finish")}</h2>
          <OutcomeChips value={outcome} onValue={setOutcome} />
          {outcome === "transported" && openVisit && (
            <div class="button-row">
              <Button
                onClick={() =>
                  void checkOut(
                    openVisit.id,
                    "",
                    t("summary.checkOut", { booth: openVisit.label }),
                    pending.keyOf.get(openVisit.id),
                  )
                }
              >
                {t("floor.checkOutOf", { label: openVisit.label })}
              </Button>
            </div>
          )}
          <div class="button-row">
            <Button onClick={() => setEndedAt(new Date().toISOString())}>
              {endedAt
                ? t("recorder.endedAt", { time: timeOfDay(endedAt, lang) })
                : t("recorder.endNow")}
            </Button>
            <button
              type="button"
              class="btn btn-secondary"
              aria-pressed={police ? "true" : "false"}
              onClick={() => setPolice(!police)}
            >
              {t("recorder.police")}
            </button>
          </div>
          <NarrativeField id="recorder-narrative" value={narrative} onValue={setNarrative} />
          {problem && <Notice kind="error">{problem}</Notice>}
          <Button variant="primary" busy={busy} onClick={() => void submit()}>
            {t("recorder.submit")}
          </Button>
        </section>
      )}
      {!editable && incident && (
        <Notice kind="info">{t(`incidentStatus.${incident.status}`)}</Notice>
      )}
    </main>
  );

  function lastLogged(list: LoggedAction[]): { what: string; at: string } | null {
    const newest = list[list.length - 1];
    return newest ? { what: describe(newest), at: newest.at } : null;
  }
}

function toggle<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

/** "SpO₂ 85% 6/min": the readings of a vitals action. */
function readings(action: { spo2?: number | null; resp_rate?: number | null }): string {
  return [
    action.spo2 != null ? `SpO₂ ${action.spo2}%` : "",
    action.resp_rate != null ? `${action.resp_rate}/min` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** The onset `minutes` earlier than `iso`. */
function onsetEarlier(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) - minutes * 60_000).toISOString();
}
