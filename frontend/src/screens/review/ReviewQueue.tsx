import { useEffect, useState } from "preact/hooks";
import { ApiError, api, call, type IncidentSummary, type Site } from "../../api";
import { useI18n } from "../../i18n";
import { navigate, useRoute } from "../../state/route";
import { Chips, DateInput, isIsoDay, Notice } from "../../ui";
import { DebriefsDue } from "./Debriefs";
import { siteDateTime } from "./format";
import { Lockouts } from "./Lockouts";
import { RestrictionReviews } from "./RestrictionReviews";
import {
  INCIDENT_KINDS,
  STATUS_FILTERS,
  filtersFrom,
  hashFor,
  listQuery,
  orderForReview,
  type QueueFilters,
  type StatusFilter,
} from "./queue";
import "./review.css";

interface Page {
  count: number;
  results: IncidentSummary[];
}

/**
 * The supervisor's queue: critical incidents first, then the soonest due, overdue ones marked.
 * The filters live in the URL, so the way back from an incident returns to the same list.
 */
export function ReviewQueue({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const route = useRoute();
  const filters = filtersFrom(route.query);
  const [page, setPage] = useState<Page | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const hash = hashFor(filters);

  useEffect(() => {
    let live = true;
    setLoading(true);
    call(api.GET("/api/v1/incidents/", { params: { query: listQuery(site.slug, filters) } }))
      .then((found) => {
        if (!live) return;
        setPage({ count: found.count, results: orderForReview(found.results) });
        setFailure(null);
      })
      .catch((caught: unknown) => {
        if (live) setFailure(caught as ApiError);
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
    // The hash names every filter: it is the one dependency.
  }, [site.slug, hash]);

  const change = (next: Partial<QueueFilters>) => navigate(hashFor({ ...filters, ...next }));
  const filtered =
    filters.status !== "submitted" || filters.kind || filters.date || filters.critical || filters.overdue;

  return (
    <main class="screen screen-wide review" aria-labelledby="queue-title">
      <div class="screen-head">
        <h1 id="queue-title">{t("review.queueTitle")}</h1>
        <p class="review-count" role="status" aria-busy={loading ? "true" : "false"}>
          {page ? t("review.count", { count: page.count }) : t("app.loading")}
        </p>
      </div>

      <Lockouts site={site} />

      <section class="panel review-filters" aria-label={t("review.filters")}>
        <Chips
          label={t("review.filterStatus")}
          options={STATUS_FILTERS.map((status) => ({ value: status, label: t(`review.status.${status}`) }))}
          selected={[filters.status]}
          onToggle={(value) => change({ status: value as StatusFilter })}
          single
        />
        <div class="review-filter-row">
          <div class="field">
            <label for="queue-kind">{t("review.filterKind")}</label>
            <select
              id="queue-kind"
              value={filters.kind}
              onChange={(e) => change({ kind: e.currentTarget.value as QueueFilters["kind"] })}
            >
              <option value="">{t("review.anyKind")}</option>
              {INCIDENT_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`incidentKind.${kind}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="queue-date">{t("review.filterDate")}</label>
            <DateInput
              id="queue-date"
              value={filters.date}
              onValue={(date) => {
                if (date === "" || isIsoDay(date)) change({ date });
              }}
            />
          </div>
          <div class="review-toggles" role="group" aria-label={t("review.filterFlags")}>
            <button
              type="button"
              class="chip"
              aria-pressed={filters.critical ? "true" : "false"}
              onClick={() => change({ critical: !filters.critical })}
            >
              {t("review.criticalOnly")}
            </button>
            <button
              type="button"
              class="chip"
              aria-pressed={filters.overdue ? "true" : "false"}
              onClick={() => change({ overdue: !filters.overdue })}
            >
              {t("review.overdueOnly")}
            </button>
            {filtered && (
              <a class="btn btn-quiet" href="#/review">
                {t("review.clearFilters")}
              </a>
            )}
          </div>
        </div>
      </section>

      <DebriefsDue site={site} />
      <RestrictionReviews site={site} />

      {failure && (
        <Notice kind="error">{failure.isNetwork ? t("error.network") : failure.detail}</Notice>
      )}
      {page && page.results.length === 0 && <p class="lede">{t("review.empty")}</p>}
      {page && page.count > page.results.length && (
        <p class="muted">{t("review.showingFirst", { shown: page.results.length, count: page.count })}</p>
      )}
      <ul class="rows review-rows" data-testid="review-queue">
        {page?.results.map((incident) => (
          <li key={incident.id}>
            <a
              class={`row-link review-row${incident.critical ? " review-row-critical" : ""}`}
              href={`#/review/${incident.id}`}
            >
              <span class="review-row-main">
                <span class="row-main">
                  {t(`incidentKind.${incident.kind}`)}
                  {" · "}
                  {incident.booth_label
                    ? t("floor.booth", { label: incident.booth_label })
                    : t(`review.location.${incident.location}`)}
                </span>
                <span class="review-row-times">
                  {t("review.onsetOn", { time: siteDateTime(incident.started_at, site, lang) })}
                  {" · "}
                  <span class={incident.overdue ? "review-overdue-text" : ""}>
                    {t(incident.overdue ? "review.wasDue" : "review.dueOn", {
                      time: siteDateTime(incident.review_due_at, site, lang),
                    })}
                  </span>
                </span>
                {incident.critical_reasons.length > 0 && (
                  <span class="review-row-reasons">
                    {incident.critical_reasons.map((r) => t(`review.reason.${r}`)).join(" · ")}
                  </span>
                )}
              </span>
              <span class="row-side review-tags">
                {incident.critical && <span class="tag tag-danger">{t("incident.critical")}</span>}
                {incident.overdue && <span class="tag tag-amber">{t("review.overdue")}</span>}
                <span class="tag review-status-tag">{t(`incidentStatus.${incident.status}`)}</span>
              </span>
            </a>
          </li>
        ))}
      </ul>
    </main>
  );
}
