import { useEffect, useState } from "preact/hooks";
import { ApiError, api, call, type Schemas, type Site } from "../../api";
import { useI18n, type MessageKey } from "../../i18n";
import { navigate } from "../../state/route";
import { Button, Notice } from "../../ui";
import { monthRange, todayIn } from "./dates";
import { CrossedTable } from "./CrossedTable";
import { figureAt, formatFigure, rowsOf, SECTIONS, type Metrics } from "./indicators";
import { formatDay, formatMonth } from "../../i18n/dates";

type Period = Schemas["PeriodReport"];

/**
 * One site's month on one printable page, laid out like a regulator's monthly form: the
 * site and period at the top, then numbered sections of figures, then who prepared it.
 * Unique and new participants are counted once per site per month (Health Canada's rule).
 */
export function MonthlySummary({ sites, slug, month }: { sites: Site[]; slug: string; month: string }) {
  const { t, lang } = useI18n();
  const [period, setPeriod] = useState<Period | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const site = sites.find((s) => s.slug === slug);
  const range = monthRange(month);

  useEffect(() => {
    call(api.GET("/api/v1/reports/period/", { params: { query: { site: [slug], ...range } } }))
      .then(setPeriod)
      .catch((caught: unknown) => setFailure(caught as ApiError));
  }, [slug, month]);

  const metrics = period?.metrics as Metrics | undefined;
  const operation = period?.operation ?? null;
  // The operation section, when there is one, is section 1 and the figures follow it.
  const first = operation ? 2 : 1;
  const title = formatMonth(month, lang);
  // The month is not over at the site (its own calendar): the form is a draft, on screen and
  // on paper, so nobody sends a part month as the month.
  const today = site ? todayIn(site.timezone) : range.to;
  const provisional = range.to >= today;

  return (
    <main class="screen monthly" aria-labelledby="monthly-title">
      <div class="button-row no-print">
        <a class="btn btn-secondary" href="#/reports">
          {t("reports.back")}
        </a>
        <div class="field">
          <label for="monthly-month">{t("monthly.month")}</label>
          <input
            id="monthly-month"
            type="month"
            value={month}
            onInput={(e) => {
              const value = e.currentTarget.value;
              if (value) navigate(`#/reports/monthly?site=${slug}&month=${value}`);
            }}
          />
        </div>
        <Button variant="primary" onClick={() => print()}>
          {t("reports.print")}
        </Button>
      </div>
      <header class="form-head">
        <h1 id="monthly-title">{t("monthly.title")}</h1>
        {provisional && (
          <p class="form-provisional" data-testid="monthly-provisional">
            <strong>{t("monthly.provisionalTag")}</strong>
            <span>{t("monthly.provisional", { day: formatDay(today, lang) })}</span>
          </p>
        )}
        <dl class="form-fields">
          <div>
            <dt>{t("monthly.site")}</dt>
            <dd>{site?.name ?? slug}</dd>
          </div>
          <div>
            <dt>{t("monthly.period")}</dt>
            <dd>
              {title} ({range.from} – {range.to})
            </dd>
          </div>
          <div>
            <dt>{t("monthly.figures")}</dt>
            <dd>{period?.suppressed ? t("reports.suppressed") : t("monthly.exact")}</dd>
          </div>
        </dl>
      </header>
      {failure && (
        <Notice kind="error">{failure.isNetwork ? t("error.network") : failure.detail}</Notice>
      )}
      {operation && <OperationSection operation={operation} />}
      {metrics &&
        SECTIONS.map((section, index) => (
          <section key={section.key} class="form-section" aria-labelledby={`form-${section.key}`}>
            <h2 id={`form-${section.key}`}>
              {index + first}. {t(`reports.section.${section.key}` as MessageKey)}
            </h2>
            <table class="form-table">
              <tbody>
                {rowsOf(section, metrics).map((row, line) => (
                  <tr key={row.path} class={row.nested ? "report-nested" : ""}>
                    <td class="form-line">
                      {index + first}.{line + 1}
                    </td>
                    <th scope="row">{t(row.label as MessageKey)}</th>
                    <td class="form-value">{formatFigure(figureAt(metrics, row.path), lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {section.key === "participants" && <CrossedTable metrics={metrics} />}
          </section>
        ))}
      <footer class="form-foot">
        <p>{t("monthly.rules")}</p>
        <p class="form-sign">{t("monthly.preparedBy")}</p>
      </footer>
    </main>
  );
}

/** Section 1 of the form: how the site operated that month (days, hours, booths). */
function OperationSection({ operation }: { operation: NonNullable<Period["operation"]> }) {
  const { t, lang } = useI18n();
  const rows: [MessageKey, number | null][] = [
    ["monthly.daysOpen", operation.days_open],
    ["monthly.hoursOpen", operation.hours_open],
    ["monthly.booths", operation.booths_in_operation],
  ];
  return (
    <section class="form-section" aria-labelledby="form-operation">
      <h2 id="form-operation">1. {t("monthly.operation")}</h2>
      <table class="form-table">
        <tbody>
          {rows.map(([label, value], line) => (
            <tr key={label}>
              <td class="form-line">1.{line + 1}</td>
              <th scope="row">{t(label)}</th>
              <td class="form-value">
                {value === null ? t("monthly.hoursNotSet") : formatFigure(value, lang)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
