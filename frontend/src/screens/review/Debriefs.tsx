import { useCallback, useEffect, useState } from "preact/hooks";
import {
  ApiError,
  api,
  call,
  type DebriefSupport,
  type IncidentSummary,
  type Responders,
  type Site,
} from "../../api";
import { useI18n } from "../../i18n";
import { useOutbox, useReloadOnDelivery } from "../../state/hooks";
import { recordDebrief } from "../../state/records";
import { Button, Chips, Notice } from "../../ui";
import { siteDateTime } from "./format";
import "./review.css";
import { formatMonth } from "../../i18n/dates";

const SUPPORTS: DebriefSupport[] = ["peer_support", "eap_referral", "time_off", "none"];

/** The critical incidents whose debrief is due, reloaded when the outbox delivers. */
export function useDebriefsDue(site: string): { due: IncidentSummary[] | null; failure: ApiError | null } {
  const { state } = useOutbox();
  const [due, setDue] = useState<IncidentSummary[] | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const load = useCallback(() => {
    call(api.GET("/api/v1/incidents/", { params: { query: { site, debrief: "due", page_size: 100 } } }))
      .then((page) => {
        setDue(page.results);
        setFailure(null);
      })
      .catch((caught: unknown) => setFailure(caught as ApiError));
  }, [site]);
  useEffect(load, [load]);
  useReloadOnDelivery(state.pending, load);
  return { due, failure };
}

/** Beside the review queue: how many debriefs are due and overdue, and the way to them. */
export function DebriefsDue({ site }: { site: Site }) {
  const { t } = useI18n();
  const { due } = useDebriefsDue(site.slug);
  if (due === null) return null;
  const overdue = due.filter((incident) => incident.debrief?.overdue).length;
  return (
    <section class="panel debriefs-due" aria-labelledby="debriefs-due-title" data-testid="debriefs-due">
      <h2 id="debriefs-due-title">{t("debrief.queueTitle")}</h2>
      <p>
        {due.length === 0 ? t("debrief.none") : t("debrief.dueCount", { count: due.length })}
        {overdue > 0 && (
          <>
            {" · "}
            <span class="tag tag-amber">{t("debrief.overdueCount", { overdue })}</span>
          </>
        )}
      </p>
      {due.length > 0 && (
        <a class="btn btn-secondary btn-inline" href="#/debriefs">
          {t("debrief.open")}
        </a>
      )}
    </section>
  );
}

/** A local time for a datetime-local input (the tablet's clock). */
function localInputValue(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

function DebriefForm({ incident, onQueued }: { incident: IncidentSummary; onQueued: () => void }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<"held" | "declined" | "">("");
  const [heldAt, setHeldAt] = useState(() => localInputValue(new Date()));
  const [attendees, setAttendees] = useState("");
  const [supports, setSupports] = useState<DebriefSupport[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function toggleSupport(value: string) {
    const support = value as DebriefSupport;
    if (support === "none") {
      setSupports(supports.includes("none") ? [] : ["none"]);
      return;
    }
    const others = supports.filter((each) => each !== "none");
    setSupports(others.includes(support) ? others.filter((each) => each !== support) : [...others, support]);
  }

  async function save() {
    if (!status) return;
    const count = Number(attendees);
    if (status === "held" && (!heldAt || !Number.isInteger(count) || count < 1)) {
      setProblem(t("debrief.needWhen"));
      return;
    }
    setBusy(true);
    await recordDebrief(
      incident.id,
      status === "held"
        ? { status, held_at: new Date(heldAt).toISOString(), attendees: count, supports }
        : { status, supports },
      t("debrief.summary", { status: t(`debrief.status.${status}`) }),
    );
    onQueued();
  }

  return (
    <div class="debrief-form">
      <Chips
        label={t("debrief.status")}
        options={(["held", "declined"] as const).map((value) => ({
          value,
          label: t(`debrief.status.${value}`),
        }))}
        selected={status ? [status] : []}
        onToggle={(value) => setStatus(value as "held" | "declined")}
        single
      />
      {status === "held" && (
        <div class="field-row">
          <div class="field">
            <label for={`held-at-${incident.id}`}>{t("debrief.heldAt")}</label>
            <input
              id={`held-at-${incident.id}`}
              type="datetime-local"
              value={heldAt}
              onInput={(e) => setHeldAt(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for={`attendees-${incident.id}`}>{t("debrief.attendees")}</label>
            <input
              id={`attendees-${incident.id}`}
              inputMode="numeric"
              value={attendees}
              onInput={(e) => setAttendees(e.currentTarget.value)}
            />
          </div>
        </div>
      )}
      {status && (
        <Chips
          label={t("debrief.supports")}
          options={SUPPORTS.map((value) => ({ value, label: t(`debrief.support.${value}`) }))}
          selected={supports}
          onToggle={toggleSupport}
        />
      )}
      {problem && <Notice kind="error">{problem}</Notice>}
      {status && (
        <Button variant="primary" busy={busy} onClick={() => void save()}>
          {t("debrief.save")}
        </Button>
      )}
    </div>
  );
}

function RespondersTable({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const { state } = useOutbox();
  const [view, setView] = useState<Responders | null>(null);
  const load = useCallback(() => {
    call(api.GET("/api/v1/incidents/responders", { params: { query: { site: site.slug } } }))
      .then(setView)
      .catch(() => undefined);
  }, [site.slug]);
  useEffect(load, [load]);
  // A debrief delivered moves its month from due to held or declined.
  useReloadOnDelivery(state.pending, load);
  if (!view) return null;
  const monthName = (month: string) => formatMonth(month, lang, "short");
  return (
    <section class="panel" aria-labelledby="responders-title" data-testid="responders">
      <h2 id="responders-title">{t("responders.title")}</h2>
      <p class="muted">{t("responders.private")}</p>
      <div class="table-scroll">
        <table class="review-table">
          <thead>
            <tr>
              <th scope="col">{t("responders.staff")}</th>
              {view.months.map((month) => (
                <th key={month} scope="col" class="num">
                  {monthName(month)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {view.staff.map((row) => (
              <tr key={row.username}>
                <th scope="row">{row.display_name || row.username}</th>
                {view.months.map((month) => (
                  <td key={month} class="num">
                    {row.months[month] ?? 0}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>{t("responders.debriefs")}</h3>
      <div class="table-scroll">
        <table class="review-table">
          <thead>
            <tr>
              <th scope="col">{t("responders.month")}</th>
              <th scope="col" class="num">
                {t("responders.critical")}
              </th>
              <th scope="col" class="num">
                {t("debrief.status.held")}
              </th>
              <th scope="col" class="num">
                {t("debrief.status.declined")}
              </th>
              <th scope="col" class="num">
                {t("debrief.status.due")}
              </th>
            </tr>
          </thead>
          <tbody>
            {view.debriefs.map((row) => (
              <tr key={row.month}>
                <th scope="row">{monthName(row.month)}</th>
                <td class="num">{row.critical}</td>
                <td class="num">{row.held}</td>
                <td class="num">{row.declined}</td>
                <td class="num">{row.due}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The supervisor's debriefs: every critical incident whose debrief is due, soonest first,
 * each recorded held or declined through the outbox; and the private view of responses. */
export function Debriefs({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const { due, failure } = useDebriefsDue(site.slug);
  const [queued, setQueued] = useState<Set<string>>(new Set());
  const shown = (due ?? [])
    .filter((incident) => !queued.has(incident.id))
    .sort((a, b) => (a.debrief?.due_at ?? "").localeCompare(b.debrief?.due_at ?? ""));
  return (
    <main class="screen screen-wide review" aria-labelledby="debriefs-title">
      <div class="screen-head">
        <h1 id="debriefs-title">{t("debrief.queueTitle")}</h1>
        <a class="btn btn-secondary" href="#/review">
          {t("nav.review")}
        </a>
      </div>
      <p class="lede">{t("debrief.queueIntro")}</p>
      {failure && <Notice kind="error">{failure.isNetwork ? t("error.network") : failure.detail}</Notice>}
      {queued.size > 0 && <Notice kind="info">{t("debrief.saved")}</Notice>}
      {due && shown.length === 0 && <p class="muted">{t("debrief.none")}</p>}
      <ul class="rows review-rows" data-testid="debrief-queue">
        {shown.map((incident) => (
          <li key={incident.id} class="panel debrief-item">
            <div class="review-row-main">
              <a class="row-main" href={`#/review/${incident.id}`}>
                {t(`incidentKind.${incident.kind}`)}
                {" · "}
                {t("review.onsetOn", { time: siteDateTime(incident.started_at, site, lang) })}
              </a>
              {incident.debrief && (
                <span class={incident.debrief.overdue ? "review-overdue-text" : "muted"}>
                  {t(incident.debrief.overdue ? "debrief.wasDue" : "debrief.dueOn", {
                    time: siteDateTime(incident.debrief.due_at, site, lang),
                  })}
                </span>
              )}
              {incident.critical_reasons.length > 0 && (
                <span class="review-row-reasons">
                  {incident.critical_reasons.map((r) => t(`review.reason.${r}`)).join(" · ")}
                </span>
              )}
            </div>
            <DebriefForm
              incident={incident}
              onQueued={() => setQueued(new Set([...queued, incident.id]))}
            />
          </li>
        ))}
      </ul>
      <RespondersTable site={site} />
    </main>
  );
}
