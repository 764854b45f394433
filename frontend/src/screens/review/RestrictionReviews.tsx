import { useCallback, useEffect, useState } from "preact/hooks";
import { api, call, type Schemas, type Site } from "../../api";
import { type MessageKey, useI18n } from "../../i18n";
import { write } from "../../outbox/write";
import { useOutbox, useReloadOnDelivery } from "../../state/hooks";
import { Button, Chips, Notice } from "../../ui";
import { siteDate } from "./format";

type Restriction = Schemas["Restriction"];
export type ReviewOutcome = Schemas["RestrictionReviewOutcomeEnum"];
const OUTCOMES: ReviewOutcome[] = ["keep", "extend", "end"];

/** The restrictions of the site whose review date has come, the longest due first. */
function useReviewsDue(site: string): Restriction[] | null {
  const { state } = useOutbox();
  const [due, setDue] = useState<Restriction[] | null>(null);
  const load = useCallback(() => {
    call(api.GET("/api/v1/restrictions/", { params: { query: { site, review_due: true, page_size: 100 } } }))
      .then((page) => setDue(page.results))
      .catch(() => setDue(null)); // staff are refused; the queue reports a broken connection
  }, [site]);
  useEffect(load, [load]);
  useReloadOnDelivery(state.pending, load);
  return due;
}

/**
 * What a review decision is missing, as a message key, or null when it can be sent: ending
 * needs a reason, extending a new end or review date, keeping one without an end date the next
 * review date (else it would never come back).
 */
export function reviewProblem(
  outcome: ReviewOutcome,
  values: { note: string; endsOn: string; reviewOn: string },
  hasEnd: boolean,
): MessageKey | null {
  if (outcome === "end" && !values.note.trim()) return "restrictionReview.needNote";
  if (outcome === "extend" && !values.endsOn && !values.reviewOn) return "restrictionReview.needExtendDate";
  if (outcome === "keep" && !hasEnd && !values.reviewOn) return "restrictionReview.needReviewDate";
  return null;
}

/**
 * On the supervisor's review screen: the restrictions due for review (scope, until, review
 * date, and the reason and note, which only supervisors see), each kept, extended or ended.
 * Nothing when none is due (or the user is not a supervisor here).
 */
export function RestrictionReviews({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const due = useReviewsDue(site.slug);
  if (!due || due.length === 0) return null;
  const day = (iso: string | null) => (iso ? siteDate(iso, site, lang) : "");
  return (
    <section class="panel restriction-reviews" aria-labelledby="restriction-reviews-title">
      <h2 id="restriction-reviews-title">{t("restrictionReview.title", { count: due.length })}</h2>
      <ul class="restriction-review-list" data-testid="restriction-reviews">
        {due.map((r) => (
          <li key={r.id} class="restriction-review">
            <p class="restriction-review-line">
              <strong>{t(`scope.${r.scope}`)}</strong>
              {" · "}
              {r.ends_at ? t("restrictionReview.until", { date: day(r.ends_at) }) : t("restrictionReview.noEnd")}
              {" · "}
              <span class="review-overdue-text">
                {t("restrictionReview.reviewOn", { date: day(r.review_at) })}
              </span>
            </p>
            <p class="muted">
              {t(`restrictionReason.${r.reason}`)}
              {r.note && ` · ${r.note}`}
            </p>
            <ReviewForm restriction={r} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function ReviewForm({ restriction }: { restriction: Restriction }) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState<ReviewOutcome | null>(null);
  const [endsOn, setEndsOn] = useState("");
  const [reviewOn, setReviewOn] = useState("");
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState<ReviewOutcome | null>(null);
  const id = restriction.id;

  if (sent) return <Notice kind="info">{t(`restrictionReview.sent.${sent}`)}</Notice>;

  async function submit(event: Event) {
    event.preventDefault();
    if (!outcome) return;
    const missing = reviewProblem(outcome, { note, endsOn, reviewOn }, restriction.ends_at !== null);
    if (missing) return setProblem(t(missing));
    await write({
      method: "POST",
      path: "/api/v1/restrictions/{restriction_id}/review",
      params: { restriction_id: id },
      body: {
        version: restriction.version,
        outcome,
        note: note.trim(),
        ...(outcome === "extend" && endsOn ? { ends_on: endsOn } : {}),
        ...(outcome !== "end" && reviewOn ? { review_on: reviewOn } : {}),
      },
      summary: t(`restrictionReview.summary.${outcome}`),
    });
    setSent(outcome);
  }

  return (
    <form class="restriction-review-form" onSubmit={(e) => void submit(e)} noValidate>
      <Chips
        label={t("restrictionReview.decide")}
        options={OUTCOMES.map((o) => ({ value: o, label: t(`restrictionReview.outcome.${o}`) }))}
        selected={outcome ? [outcome] : []}
        onToggle={(value) => {
          setOutcome(value as ReviewOutcome);
          setProblem(null);
        }}
        single
      />
      {outcome && (
        <div class="restriction-review-fields">
          {outcome === "extend" && (
            <div class="field">
              <label for={`review-ends-${id}`}>{t("restrictionReview.endsOn")}</label>
              <input id={`review-ends-${id}`} type="date" value={endsOn} onInput={(e) => setEndsOn(e.currentTarget.value)} />
            </div>
          )}
          {outcome !== "end" && (
            <div class="field">
              <label for={`review-next-${id}`}>{t("restrictionReview.nextReview")}</label>
              <input
                id={`review-next-${id}`}
                type="date"
                value={reviewOn}
                onInput={(e) => setReviewOn(e.currentTarget.value)}
              />
            </div>
          )}
          <div class="field restriction-review-note">
            <label for={`review-note-${id}`}>
              {t(outcome === "end" ? "restrictionReview.endNote" : "restrictionReview.note")}
            </label>
            <input id={`review-note-${id}`} value={note} maxLength={1000} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
          {problem && <Notice kind="error">{problem}</Notice>}
          <Button type="submit" variant="primary">
            {t(`restrictionReview.confirm.${outcome}`)}
          </Button>
        </div>
      )}
    </form>
  );
}
