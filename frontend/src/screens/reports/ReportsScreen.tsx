import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, api, call, type Role, type Schemas, type Site } from "../../api";
import { useI18n, type MessageKey } from "../../i18n";
import { useRoute } from "../../state/route";
import { Chips, DateInput, isIsoDay, Notice } from "../../ui";
import { DailyChart, ShareBars } from "./Charts";
import { daysOf, PRESETS, presetRange, todayIn, type Preset, type Range } from "./dates";
import { figureAt, formatFigure, numberOr, rowsOf, SECTIONS, type Metrics } from "./indicators";
import { CrossedTable } from "./CrossedTable";
import { MonthlySummary } from "./MonthlySummary";
import { Submissions } from "./Submissions";
import "./reports.css";
import { formatDay } from "../../i18n/dates";

type Daily = Schemas["DailyReport"];
type Period = Schemas["PeriodReport"];

interface Props {
  sites: Site[];
  site: Site;
  role: Role;
}

/** Reports for supervisors and analysts; the monthly summary lives under #/reports/monthly. */
export function ReportsScreen(props: Props) {
  const route = useRoute();
  if (route.params[0] === "monthly") {
    return (
      <MonthlySummary
        sites={props.sites}
        slug={route.query.get("site") ?? props.site.slug}
        month={route.query.get("month") ?? todayIn(props.site.timezone).slice(0, 7)}
      />
    );
  }
  return <Reports {...props} />;
}

const CHART_COLOURS = ["#7cc4ff", "#ff8a80", "#ffc857"];

function Reports({ sites, site, role }: Props) {
  const { t, lang } = useI18n();
  const [chosen, setChosen] = useState<string[]>([site.slug]);
  const [preset, setPreset] = useState<Preset | "custom">("last7");
  const today = todayIn(site.timezone);
  const [custom, setCustom] = useState<Range>(() => presetRange("last7", today));
  const range = preset === "custom" ? custom : presetRange(preset, today);
  const [daily, setDaily] = useState<Daily[] | null>(null);
  const [period, setPeriod] = useState<Period | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [tableSite, setTableSite] = useState(site.slug);
  const [reloads, setReloads] = useState(0);
  const supervising = role === "supervisor" || role === "admin";

  useEffect(() => {
    if (chosen.length === 0 || range.from > range.to) return;
    let live = true;
    const query = { site: chosen, from: range.from, to: range.to };
    setFailure(null);
    Promise.all([
      call(api.GET("/api/v1/reports/daily/", { params: { query } })),
      call(api.GET("/api/v1/reports/period/", { params: { query } })),
    ])
      .then(([days, total]) => {
        if (!live) return;
        setDaily(days);
        setPeriod(total);
      })
      .catch((caught: unknown) => {
        if (live) setFailure(caught as ApiError);
      });
    return () => {
      live = false;
    };
  }, [chosen.join(","), range.from, range.to, reloads]);

  const days = useMemo(() => daysOf(range), [range.from, range.to]);
  const shownSite = chosen.includes(tableSite) ? tableSite : (chosen[0] ?? site.slug);
  const byDay = new Map((daily ?? []).filter((d) => d.site === shownSite).map((d) => [d.date, d]));
  const periodMetrics = period?.metrics as Metrics | undefined;

  const perDay = (path: string) =>
    days.map((day) => {
      let sum: number | null = 0;
      for (const report of daily ?? []) {
        if (report.date !== day) continue;
        const value = numberOr(figureAt(report.metrics as Metrics, path));
        sum = sum === null || value === null ? null : sum + value;
      }
      return (daily ?? []).some((r) => r.date === day) ? sum : null;
    });
  const chartSeries = useMemo(
    () => [
      { label: t("indicator.visits"), values: perDay("visits"), colour: CHART_COLOURS[0] ?? "" },
      { label: t("indicator.overdoses"), values: perDay("overdoses"), colour: CHART_COLOURS[1] ?? "" },
      {
        label: t("indicator.naloxone_doses"),
        values: perDay("naloxone_doses"),
        colour: CHART_COLOURS[2] ?? "",
      },
    ],
    [daily, lang],
  );

  const exported = (suppress: boolean, type: "csv" | "xlsx") => {
    const query = new URLSearchParams();
    for (const slug of chosen) query.append("site", slug);
    query.set("from", range.from);
    query.set("to", range.to);
    if (suppress) query.set("suppress", "true");
    return `/api/v1/reports/daily.${type}?${query.toString()}`;
  };

  return (
    <main class="screen screen-wide reports" aria-labelledby="reports-title">
      <h1 id="reports-title">{t("reports.title")}</h1>
      <section class="report-controls" aria-label={t("reports.choose")}>
        {sites.length > 1 && (
          <Chips
            label={t("reports.sites")}
            options={sites.map((s) => ({ value: s.slug, label: s.name }))}
            selected={chosen}
            onToggle={(slug) =>
              setChosen(chosen.includes(slug) ? chosen.filter((c) => c !== slug) : [...chosen, slug])
            }
          />
        )}
        <Chips
          label={t("reports.period")}
          options={[
            ...PRESETS.map((p) => ({ value: p, label: t(`reports.preset.${p}`) })),
            { value: "custom", label: t("reports.preset.custom") },
          ]}
          selected={[preset]}
          onToggle={(value) => setPreset(value as Preset | "custom")}
          single
        />
        {preset === "custom" && (
          <div class="field-row">
            <DateField id="report-from" label={t("reports.from")} value={custom.from} onValue={(from) => setCustom({ ...custom, from })} />
            <DateField id="report-to" label={t("reports.to")} value={custom.to} onValue={(to) => setCustom({ ...custom, to })} />
          </div>
        )}
        <p class="muted" data-testid="report-range">
          {t("reports.showing", { from: range.from, to: range.to })}
          {period?.suppressed && ` · ${t("reports.suppressed")}`}
        </p>
        <div class="button-row">
          <a class="btn btn-secondary" href={exported(true, "csv")} download>
            {t("reports.csvSuppressed")}
          </a>
          <a class="btn btn-secondary" href={exported(true, "xlsx")} download>
            {t("reports.xlsxSuppressed")}
          </a>
          {supervising && (
            <>
              <a class="btn btn-secondary" href={exported(false, "csv")} download>
                {t("reports.csvFull")}
              </a>
              <a class="btn btn-secondary" href={exported(false, "xlsx")} download>
                {t("reports.xlsxFull")}
              </a>
            </>
          )}
          <a
            class="btn btn-secondary"
            href={`#/reports/monthly?site=${shownSite}&month=${range.from.slice(0, 7)}`}
          >
            {t("reports.monthly")}
          </a>
        </div>
      </section>
      {chosen.length === 0 && <Notice kind="info">{t("reports.pickSite")}</Notice>}
      {failure && (
        <Notice kind="error">{failure.isNetwork ? t("error.network") : failure.detail}</Notice>
      )}
      {period && (
        <section class="report-headline" aria-label={t("reports.totals")}>
          {(["visits", "unique_participants", "overdoses", "naloxone_doses"] as const).map((name) => (
            <div key={name} class="headline" data-testid={`total-${name}`}>
              <span class="headline-value">{formatFigure(figureAt(periodMetrics, name), lang)}</span>
              <span class="headline-label">{t(`indicator.${name}`)}</span>
            </div>
          ))}
        </section>
      )}
      {daily && period && (
        <div class="report-charts">
          <DailyChart title={t("reports.perDay")} days={days} series={chartSeries} />
          <ShareBars
            title={t("reports.substanceShare")}
            parts={Object.keys((periodMetrics?.["visits_by_substance"] as object | undefined) ?? {}).map(
              (name) => ({
                label: t(`substance.${name}` as MessageKey),
                figure: figureAt(periodMetrics, `visits_by_substance.${name}`),
              }),
            )}
          />
        </div>
      )}
      {daily && period && (
        <section class="panel" aria-labelledby="report-table-title">
          <h2 id="report-table-title">{t("reports.table")}</h2>
          {chosen.length > 1 && (
            <Chips
              label={t("reports.daysOf")}
              options={chosen.map((slug) => ({
                value: slug,
                label: sites.find((s) => s.slug === slug)?.name ?? slug,
              }))}
              selected={[shownSite]}
              onToggle={setTableSite}
              single
            />
          )}
          <div class="table-scroll" tabIndex={0} aria-labelledby="report-table-title">
            <table class="report-table">
              <thead>
                <tr>
                  <th scope="col">{t("reports.indicator")}</th>
                  {days.map((day) => (
                    <th key={day} scope="col">
                      <DayHead
                        day={day}
                        report={byDay.get(day)}
                        site={shownSite}
                        canRecompute={supervising}
                        onDone={() => setReloads(reloads + 1)}
                      />
                    </th>
                  ))}
                  <th scope="col">{t(chosen.length > 1 ? "reports.network" : "reports.periodTotal")}</th>
                </tr>
              </thead>
              {SECTIONS.map((section) => (
                <tbody key={section.key}>
                  <tr class="report-section">
                    <th scope="colgroup" colSpan={days.length + 2}>
                      {t(`reports.section.${section.key}` as MessageKey)}
                    </th>
                  </tr>
                  {rowsOf(section, periodMetrics).map((row) => (
                    <tr key={row.path} class={row.nested ? "report-nested" : ""}>
                      <th scope="row">{t(row.label as MessageKey)}</th>
                      {days.map((day) => (
                        <td key={day}>
                          {formatFigure(figureAt(byDay.get(day)?.metrics as Metrics | undefined, row.path), lang)}
                        </td>
                      ))}
                      <td class="report-total">{formatFigure(figureAt(periodMetrics, row.path), lang)}</td>
                    </tr>
                  ))}
                </tbody>
              ))}
            </table>
          </div>
        </section>
      )}
      {period && (
        <section class="panel" aria-labelledby="report-crossed-title">
          <h2 id="report-crossed-title">{t("reports.section.participants")}</h2>
          <CrossedTable metrics={periodMetrics} />
        </section>
      )}
      <Submissions site={shownSite} today={today} canSend={supervising} />
    </main>
  );
}

const STATUS_KEYS: Record<string, MessageKey> = {
  provisional: "reports.status.provisional",
  final: "reports.status.final",
  revised: "reports.status.revised",
};

/**
 * A day's column head: its date and status; for supervisors a recompute that shows progress
 * until the worker has computed the day again.
 */
function DayHead(props: {
  day: string;
  report: Daily | undefined;
  site: string;
  canRecompute: boolean;
  onDone: () => void;
}) {
  const { t, lang } = useI18n();
  const [state, setState] = useState<"idle" | "running" | "done" | "failed">("idle");
  const status = props.report?.status;
  const label = formatDay(props.day, lang, "weekday");

  async function recompute() {
    setState("running");
    try {
      const accepted = await call(
        api.POST("/api/v1/reports/recompute", { body: { site: props.site, date: props.day } }),
      );
      const asked = Date.parse(accepted.requested_at);
      for (let attempt = 0; attempt < 60; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const [report] = await call(
          api.GET("/api/v1/reports/daily/", {
            params: { query: { site: [props.site], from: props.day, to: props.day } },
          }),
        );
        // checked_at moves on every run, even one that finds the figures unchanged.
        if (report?.checked_at && Date.parse(report.checked_at) >= asked) {
          setState("done");
          props.onDone();
          return;
        }
      }
      setState("failed");
    } catch {
      setState("failed");
    }
  }

  return (
    <div class="day-head">
      <span>{label}</span>
      <span class={`tag report-status-${status ?? "none"}`}>
        {status ? t(STATUS_KEYS[status] ?? "reports.status.none") : t("reports.status.none")}
      </span>
      {props.canRecompute && (
        <button
          type="button"
          class="btn btn-quiet btn-small"
          aria-label={t("reports.recomputeDay", { day: props.day })}
          disabled={state === "running"}
          aria-busy={state === "running" ? "true" : "false"}
          onClick={() => void recompute()}
        >
          {state === "running"
            ? t("reports.recomputing")
            : state === "failed"
              ? t("reports.recomputeFailed")
              : state === "done"
                ? t("reports.recomputed")
                : "↻"}
        </button>
      )}
    </div>
  );
}

function DateField(props: { id: string; label: string; value: string; onValue: (v: string) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <DateInput
        id={props.id}
        value={props.value}
        onValue={(day) => {
          if (isIsoDay(day)) props.onValue(day);
        }}
      />
    </div>
  );
}
