import { useEffect, useState } from "preact/hooks";
import { ApiError, api, call, type IncidentSummary, type Site } from "../../api";
import { useI18n } from "../../i18n";
import { Notice, ScreenHead } from "../../ui";
import { timeOfDay } from "./time";
import { formatDate } from "../../i18n/dates";

/** The worker's own incidents still to finish: returned ones first, with the reviewer's comment. */
export function MyIncidents({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const [incidents, setIncidents] = useState<IncidentSummary[] | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);

  useEffect(() => {
    call(
      api.GET("/api/v1/incidents/", {
        params: { query: { site: site.slug, mine: true, page_size: 100 } },
      }),
    )
      .then((page) => setIncidents(page.results))
      .catch((caught: unknown) => setFailure(caught as ApiError));
  }, [site.slug]);

  const order = { returned: 0, open: 1, submitted: 2, approved: 3 } as const;
  const listed = (incidents ?? [])
    .filter((i) => !i.voided && i.status !== "approved")
    .sort((a, b) => order[a.status] - order[b.status] || b.started_at.localeCompare(a.started_at));

  return (
    <main class="screen" aria-labelledby="mine-title">
      <ScreenHead id="mine-title" title={t("mine.title")} />
      {failure && (
        <Notice kind="error">{failure.isNetwork ? t("error.network") : failure.detail}</Notice>
      )}
      {incidents && listed.length === 0 && <p class="muted">{t("mine.none")}</p>}
      <ul class="rows">
        {listed.map((incident) => (
          <li key={incident.id}>
            <a class="row-link" href={`#/incident/${incident.id}`}>
              <span class="row-main">
                {t(`incidentKind.${incident.kind}`)} ·{" "}
                {formatDate(incident.started_at, lang)}{" "}
                {timeOfDay(incident.started_at, lang)}
                {incident.status === "returned" && (
                  <span class="row-comment">
                    {t("mine.comment", { comment: incident.review_comment || "—" })}
                  </span>
                )}
              </span>
              <span class={`tag ${incident.status === "returned" ? "tag-danger" : ""}`}>
                {t(`incidentStatus.${incident.status}`)}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </main>
  );
}
