import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, call, type Incident, type Outcome, type Site } from "../../api";
import { useI18n, type MessageKey } from "../../i18n";
import type { OutboxEntry } from "../../outbox";
import { write } from "../../outbox/write";
import { useOutbox, useReloadOnDelivery } from "../../state/hooks";
import { Button, NarrativeField, Notice, OutcomeChips } from "../../ui";
import { mg, minutes, siteDateTime } from "./format";
import { Timeline } from "./Timeline";
import "./review.css";

type Snapshot = Incident["history"][number]["snapshot"];

/**
 * One incident as the reviewing supervisor reads it: what happened, the response drawn to scale,
 * the figures, the narrative, earlier versions and reviews; then the decision (approve, or return
 * with a comment) or, once approved, an amendment with a reason. Decisions go through the outbox
 * like every write, and the page reloads the incident when the outbox delivers them.
 */
export function IncidentReview({ site, id }: { site: Site; id: string }) {
  const { t } = useI18n();
  const { state, entries } = useOutbox();
  const [incident, setIncident] = useState<Incident | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);

  const load = useCallback(async () => {
    try {
      setIncident(
        await call(api.GET("/api/v1/incidents/{incident_id}", { params: { path: { incident_id: id } } })),
      );
      setFailure(null);
    } catch (caught) {
      setFailure(caught as ApiError);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  // A delivery may be this page's decision.
  useReloadOnDelivery(state.pending, () => void load());

  const mine = entries.filter((e) => e.path === `/incidents/${id}` || e.path.startsWith(`/incidents/${id}/`));
  const waiting = mine.filter((e) => e.status === "pending");
  const parked = mine.filter((e) => e.status === "parked");

  // A refusal usually means the incident changed meanwhile (another supervisor reviewed it):
  // show it as it is now, beside the refused write.
  const parkedBefore = useRef(parked.length);
  useEffect(() => {
    if (parked.length > parkedBefore.current) void load();
    parkedBefore.current = parked.length;
  }, [parked.length, load]);

  if (!incident) {
    return (
      <main class="screen review">
        {failure ? (
          <Notice kind="error">
            {failure.isNetwork ? t("error.network") : failure.status === 404 ? t("review.notFound") : failure.detail}
          </Notice>
        ) : (
          <p class="lede" aria-busy="true">
            {t("app.loading")}
          </p>
        )}
        <a class="btn btn-secondary" href="#/review">
          {t("review.backToQueue")}
        </a>
      </main>
    );
  }

  return (
    <IncidentPage
      site={site}
      incident={incident}
      waiting={waiting}
      parked={parked}
      stale={failure}
    />
  );
}

function IncidentPage(props: {
  site: Site;
  incident: Incident;
  waiting: OutboxEntry[];
  parked: OutboxEntry[];
  stale: ApiError | null;
}) {
  const { site, incident, waiting, parked } = props;
  const { t, lang } = useI18n();
  const when = (iso: string | null | undefined) => (iso ? siteDateTime(iso, site, lang) : "—");
  const place = incident.booth_label
    ? t("floor.booth", { label: incident.booth_label })
    : t(`review.location.${incident.location}`);

  return (
    <main class="screen screen-wide review" aria-labelledby="incident-title">
      <div class="screen-head">
        <div>
          <h1 id="incident-title">
            {t(`incidentKind.${incident.kind}`)} · {place}
          </h1>
          <p class="review-tags review-head-tags">
            <span class="tag review-status-tag">{t(`incidentStatus.${incident.status}`)}</span>
            {incident.critical && <span class="tag tag-danger">{t("incident.critical")}</span>}
            {incident.overdue && <span class="tag tag-amber">{t("review.overdue")}</span>}
            {incident.backdated && <span class="tag">{t("review.backdated")}</span>}
          </p>
        </div>
        <a class="btn btn-secondary" href="#/review">
          {t("review.backToQueue")}
        </a>
      </div>

      {props.stale && (
        <Notice kind="info">{props.stale.isNetwork ? t("error.network") : props.stale.detail}</Notice>
      )}
      {parked.map((entry) => (
        <Parked key={entry.key} entry={entry} />
      ))}
      {waiting.length > 0 && (
        <div class="notice notice-info review-queued" role="status" data-testid="review-queued">
          <span>{t("review.queued", { count: waiting.length })}</span>
          <ul>
            {waiting.map((entry) => (
              <li key={entry.key}>
                {entry.summary} <span class="tag">{t("outbox.queuedTag")}</span>
              </li>
            ))}
          </ul>
        </div>
      )}

      <div class="review-grid">
        <section class="panel" aria-labelledby="facts-title">
          <h2 id="facts-title">{t("review.facts")}</h2>
          <dl class="review-facts">
            <Fact term={t("review.onset")}>{when(incident.started_at)}</Fact>
            <Fact term={t("review.end")}>{when(incident.ended_at)}</Fact>
            <Fact term={t("review.place")}>{place}</Fact>
            <Fact term={t("review.outcome")}>
              {incident.outcome ? t(`outcome.${incident.outcome}`) : "—"}
            </Fact>
            <Fact term={t("review.police")}>{t(incident.police_attended ? "review.yes" : "review.no")}</Fact>
            <Fact term={t("review.signs")}>
              {incident.signs.map((s) => t(`review.sign.${s}`)).join(", ") || "—"}
            </Fact>
            <Fact term={t("review.substances")}>
              {incident.suspected_substances.map((s) => t(`substance.${s}`)).join(", ") || "—"}
            </Fact>
            <Fact term={t("review.responders")}>{incident.responders.join(", ") || "—"}</Fact>
            <Fact term={t("review.loggedBy")}>{incident.created_by}</Fact>
            <Fact term={t("review.submitted")}>
              {incident.submitted_at
                ? t("review.byAt", { who: incident.submitted_by ?? "—", time: when(incident.submitted_at) })
                : "—"}
            </Fact>
          </dl>
        </section>

        <section class="panel" aria-labelledby="review-due-title">
          <h2 id="review-due-title">{t("review.reviewTitle")}</h2>
          <p class={incident.overdue ? "review-due review-overdue-text" : "review-due"} data-testid="review-due">
            {incident.status === "approved" && incident.reviewed_by
              ? t("review.approvedBy", { who: incident.reviewed_by, time: when(incident.reviewed_at) })
              : t(incident.overdue ? "review.wasDue" : "review.dueOn", { time: when(incident.review_due_at) })}
          </p>
          {incident.critical ? (
            <>
              <p class="review-subhead">{t("review.whyCritical")}</p>
              <ul class="review-reasons">
                {incident.critical_reasons.map((reason) => (
                  <li key={reason}>{t(`review.reason.${reason}`)}</li>
                ))}
              </ul>
            </>
          ) : (
            <p class="muted">{t("review.notCritical")}</p>
          )}
          <h3 class="review-subhead">{t("review.figures")}</h3>
          <Figures figures={incident} />
        </section>
      </div>

      <section class="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t("recorder.timeline")}</h2>
        <Timeline
          input={incident}
          site={site}
          label={t("review.timelineAlt", { count: incident.actions.length })}
        />
      </section>

      <section class="panel" aria-labelledby="narrative-title">
        <h2 id="narrative-title">{t("recorder.narrative")}</h2>
        {incident.narrative ? (
          <p class="review-narrative">{incident.narrative}</p>
        ) : (
          <p class="muted">{t("review.noNarrative")}</p>
        )}
      </section>

      {waiting.length === 0 && incident.status === "submitted" && !incident.voided && (
        <Decision incident={incident} />
      )}
      {waiting.length === 0 && incident.status === "approved" && !incident.voided && (
        <Amend incident={incident} />
      )}
      {(incident.status === "open" || incident.status === "returned") && (
        <Notice kind="info">{t(`review.withStaff.${incident.status}`)}</Notice>
      )}

      <section class="panel" aria-labelledby="reviews-title">
        <h2 id="reviews-title">{t("review.reviews")}</h2>
        {incident.reviews.length === 0 ? (
          <p class="muted">{t("review.noReviews")}</p>
        ) : (
          <ol class="rows" data-testid="reviews">
            {incident.reviews.map((review) => (
              <li key={`${review.reviewed_at}-${review.incident_version}`} class="row row-wrap">
                <span class="row-main">
                  {t(`review.decision.${review.decision}`)} ·{" "}
                  {t("review.byAt", { who: review.reviewed_by, time: when(review.reviewed_at) })}
                  {review.comment && <span class="row-comment">“{review.comment}”</span>}
                </span>
                <span class="tag review-status-tag">{t("review.version", { version: review.incident_version })}</span>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section class="panel" aria-labelledby="history-title">
        <h2 id="history-title">{t("review.history")}</h2>
        <p class="muted">{t("review.currentVersion", { version: incident.version })}</p>
        {incident.history.length === 0 ? (
          <p class="muted">{t("review.noHistory")}</p>
        ) : (
          <ol class="review-history" data-testid="history">
            {[...incident.history]
              .sort((a, b) => b.version - a.version)
              .map((version) => (
                <li key={version.version}>
                  <details>
                    <summary>
                      {t("review.versionAmended", {
                        version: version.version,
                        who: version.amended_by,
                        time: when(version.amended_at),
                      })}
                    </summary>
                    <p>
                      <strong>{t("review.amendedBecause")}</strong> {version.reason}
                    </p>
                    <SnapshotView snapshot={version.snapshot} site={site} />
                  </details>
                </li>
              ))}
          </ol>
        )}
      </section>
    </main>
  );
}

function Fact({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <div class="review-fact">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

interface FigureValues {
  naloxone_doses: number;
  naloxone_total_mg: number;
  minutes_to_first_naloxone: number | null;
  ems_called: boolean;
  ems_response_minutes: number | null;
  duration_minutes: number | null;
}

function Figures({ figures }: { figures: FigureValues }) {
  const { t, lang } = useI18n();
  const min = (value: number | null) =>
    value === null ? "—" : t("review.minutes", { minutes: minutes(value, lang) });
  return (
    <dl class="review-figures" data-testid="figures">
      <Fact term={t("review.naloxoneDoses")}>{String(figures.naloxone_doses)}</Fact>
      <Fact term={t("review.naloxoneTotal")}>{`${mg(Number(figures.naloxone_total_mg), lang)} mg`}</Fact>
      <Fact term={t("review.toFirstNaloxone")}>{min(figures.minutes_to_first_naloxone)}</Fact>
      <Fact term={t("review.emsCalled")}>{t(figures.ems_called ? "review.yes" : "review.no")}</Fact>
      <Fact term={t("review.emsResponse")}>{min(figures.ems_response_minutes)}</Fact>
      <Fact term={t("review.duration")}>{min(figures.duration_minutes)}</Fact>
    </dl>
  );
}

/** A kept version, read like the incident itself: fields, figures and its own timeline. */
function SnapshotView({ snapshot, site }: { snapshot: Snapshot; site: Site }) {
  const { t, lang } = useI18n();
  const when = (iso: string | null) => (iso ? siteDateTime(iso, site, lang) : "—");
  return (
    <div class="review-snapshot">
      <dl class="review-facts">
        <Fact term={t("review.statusLabel")}>{t(`incidentStatus.${snapshot.status}`)}</Fact>
        <Fact term={t("review.kind")}>{t(`incidentKind.${snapshot.kind}`)}</Fact>
        <Fact term={t("review.onset")}>{when(snapshot.started_at)}</Fact>
        <Fact term={t("review.end")}>{when(snapshot.ended_at)}</Fact>
        <Fact term={t("review.outcome")}>{snapshot.outcome ? t(`outcome.${snapshot.outcome}`) : "—"}</Fact>
        <Fact term={t("review.police")}>{t(snapshot.police_attended ? "review.yes" : "review.no")}</Fact>
        <Fact term={t("review.reviewedBy")}>
          {snapshot.reviewed_by && snapshot.reviewed_at
            ? t("review.byAt", { who: snapshot.reviewed_by, time: when(snapshot.reviewed_at) })
            : "—"}
        </Fact>
      </dl>
      <p class="review-subhead">{t("recorder.narrative")}</p>
      <p class="review-narrative">{snapshot.narrative || "—"}</p>
      <p class="review-subhead">{t("review.figures")}</p>
      <Figures figures={snapshot.figures} />
      <p class="review-subhead">{t("recorder.timeline")}</p>
      <Timeline
        input={snapshot}
        site={site}
        label={t("review.timelineAltVersion", { version: snapshot.version, count: snapshot.actions.length })}
      />
    </div>
  );
}

/** A write the server refused: its words, and the way to the screen where it is fixed or dropped. */
function Parked({ entry }: { entry: OutboxEntry }) {
  const { t } = useI18n();
  const fields = Object.entries(entry.error?.fields ?? {});
  return (
    <div class="notice notice-error review-parked" role="alert" data-testid="review-parked">
      <p>
        {t("review.parked", { summary: entry.summary })} {entry.error?.detail ?? ""}
      </p>
      {fields.length > 0 && (
        <ul>
          {fields.map(([name, messages]) => (
            <li key={name}>{messages.join(" ")}</li>
          ))}
        </ul>
      )}
      <a class="btn btn-secondary" href="#/outbox">
        {t("review.openOutbox")}
      </a>
    </div>
  );
}

/** The record's fields a reviewer expects filled in and finds empty. */
export function emptyFields(incident: Incident): MessageKey[] {
  const empty: MessageKey[] = [];
  if (incident.signs.length === 0) empty.push("review.signs");
  if (incident.suspected_substances.length === 0) empty.push("review.substances");
  if (incident.responders.length === 0) empty.push("review.responders");
  if (!incident.narrative.trim()) empty.push("recorder.narrative");
  return empty;
}

function Decision({ incident }: { incident: Incident }) {
  const { t } = useI18n();
  const [comment, setComment] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Approving is allowed with fields empty, but never without saying which.
  const empty = emptyFields(incident).map((key) => t(key));

  async function decide(decision: "approve" | "return") {
    if (decision === "return" && !comment.trim()) {
      setProblem(t("review.commentNeeded"));
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      await write({
        method: "POST",
        path: "/api/v1/incidents/{incident_id}/review",
        params: { incident_id: incident.id },
        body: { decision, comment: comment.trim() },
        summary: t(decision === "approve" ? "review.summaryApprove" : "review.summaryReturn"),
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel panel-raised" aria-labelledby="decision-title">
      <h2 id="decision-title">{t("review.decide")}</h2>
      <div class={problem ? "field field-invalid" : "field"}>
        <label for="review-comment">{t("review.comment")}</label>
        <p class="muted" id="review-comment-hint">
          {t("review.commentHint")}
        </p>
        <textarea
          id="review-comment"
          rows={3}
          value={comment}
          aria-describedby={problem ? "review-comment-hint review-comment-problem" : "review-comment-hint"}
          aria-invalid={problem ? "true" : "false"}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
        {problem && (
          <p id="review-comment-problem" class="field-errors" role="alert">
            {problem}
          </p>
        )}
      </div>
      {empty.length > 0 && (
        <p class="notice notice-info" data-testid="review-empty">
          {t("review.stillEmpty", { fields: empty.join(", ") })}
        </p>
      )}
      <div class="button-row">
        <Button variant="primary" busy={busy} onClick={() => void decide("approve")}>
          {t("review.approve")}
        </Button>
        <Button busy={busy} onClick={() => void decide("return")}>
          {t("review.return")}
        </Button>
      </div>
    </section>
  );
}

/** After approval: a supervisor changes the record with a reason; the earlier version is kept. */
function Amend({ incident }: { incident: Incident }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | "">(incident.outcome);
  const [police, setPolice] = useState(incident.police_attended);
  const [narrative, setNarrative] = useState(incident.narrative);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!open) {
    return (
      <section class="panel" aria-labelledby="amend-title">
        <h2 id="amend-title">{t("review.amendTitle")}</h2>
        <p class="muted">{t("review.amendIntro")}</p>
        <Button onClick={() => setOpen(true)}>{t("review.amend")}</Button>
      </section>
    );
  }

  async function save() {
    const changes: Record<string, unknown> = {};
    if (outcome !== incident.outcome) changes["outcome"] = outcome;
    if (police !== incident.police_attended) changes["police_attended"] = police;
    if (narrative !== incident.narrative) changes["narrative"] = narrative;
    if (Object.keys(changes).length === 0) {
      setProblem(t("review.amendNothing"));
      return;
    }
    if (!reason.trim()) {
      setProblem(t("review.amendReasonNeeded"));
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      await write({
        method: "PATCH",
        path: "/api/v1/incidents/{incident_id}",
        params: { incident_id: incident.id },
        body: { ...changes, reason: reason.trim(), version: incident.version },
        summary: t("review.summaryAmend"),
      });
      setOpen(false);
      setReason("");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel panel-raised" aria-labelledby="amend-title">
      <h2 id="amend-title">{t("review.amendTitle")}</h2>
      <OutcomeChips value={outcome} onValue={setOutcome} />
      <div class="button-row">
        <button
          type="button"
          class="btn btn-secondary"
          aria-pressed={police ? "true" : "false"}
          onClick={() => setPolice(!police)}
        >
          {t("recorder.police")}
        </button>
      </div>
      <NarrativeField id="amend-narrative" value={narrative} onValue={setNarrative} rows={4} />
      <div class="field">
        <label for="amend-reason">{t("review.amendReason")}</label>
        <textarea id="amend-reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </div>
      {problem && <Notice kind="error">{problem}</Notice>}
      <div class="button-row">
        <Button variant="primary" busy={busy} onClick={() => void save()}>
          {t("review.amendSave")}
        </Button>
        <Button onClick={() => setOpen(false)}>{t("common.cancel")}</Button>
      </div>
    </section>
  );
}
