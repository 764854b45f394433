import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../../i18n";
import { formatDate, formatDay, formatHour } from "../../i18n/dates";
import { formatFigure, type Figure } from "./indicators";

export interface Series {
  label: string;
  /** One value per day; null where the day has no number (not computed, or suppressed). */
  values: (number | null)[];
  colour: string;
}

/** Local midnight of a calendar day, in seconds (uPlot's unit): the tablet's clock. */
const midnight = (day: string) => Date.parse(`${day}T00:00:00`) / 1000;

/**
 * Figures per day as lines, drawn by uPlot (loaded only when a report is shown, so the floor
 * app stays small). The same numbers are in the table below it for screen readers. A one-day
 * range is drawn across the hours of that day (uPlot alone spreads one point over years).
 */
export function DailyChart({ title, days, series }: { title: string; days: string[]; series: Series[] }) {
  const { t, lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [ticks, setTicks] = useState("");
  const oneDay = days.length === 1 ? days[0] : undefined;
  const xLabel = oneDay ? t("reports.axisHours", { day: formatDay(oneDay, lang, "long") }) : t("reports.axisDays");
  useEffect(() => {
    const target = box.current;
    if (!target || days.length === 0) return undefined;
    let chart: { destroy: () => void } | null = null;
    let live = true;
    void Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([{ default: UPlot }]) => {
      if (!live) return;
      const style = getComputedStyle(document.documentElement);
      const text = style.getPropertyValue("--text").trim() || "#eef1f4";
      const grid = style.getPropertyValue("--surface-raised").trim() || "#232b34";
      const axis = { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid } };
      const tickText = (seconds: number) =>
        oneDay ? formatHour(seconds * 1000, lang) : formatDate(seconds * 1000, lang, { noYear: true });
      chart = new UPlot(
        {
          width: Math.max(280, target.clientWidth),
          height: 220,
          scales: {
            x: {
              time: true,
              ...(oneDay ? { range: (): [number, number] => [midnight(oneDay), midnight(oneDay) + 86_399] } : {}),
            },
            y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
          },
          axes: [
            {
              ...axis,
              space: 56,
              // Whole hours across one day (as many as fit); whole days otherwise.
              incrs: oneDay
                ? [3600, 2 * 3600, 3 * 3600, 4 * 3600, 6 * 3600, 12 * 3600]
                : [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400],
              values: (_u, splits) => {
                const shown = splits.map(tickText);
                if (live) setTicks(shown.join(" | "));
                return shown;
              },
            },
            { ...axis, values: (_u, splits) => splits.map((n) => formatFigure(n, lang)) },
          ],
          legend: { show: true },
          series: [
            { label: oneDay ? t("reports.axisDay") : t("reports.axisDays"), value: (_u, v) => (v == null ? "—" : formatDate(v * 1000, lang)) },
            ...series.map((s) => ({ label: s.label, stroke: s.colour, width: 2, points: { show: true } })),
          ],
        },
        [days.map((day) => midnight(day) + 12 * 3600), ...series.map((s) => s.values)],
        target,
      );
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [days, series, lang]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <p class="chart-axis chart-axis-y">{t("reports.axisCount")}</p>
      <div ref={box} class="chart-canvas" aria-hidden="true" data-ticks={ticks} />
      <p class="chart-axis chart-axis-x" data-testid="chart-x-axis">
        {xLabel}
      </p>
    </figure>
  );
}

/** Shares of a whole as labelled horizontal bars (substances by share of visits). */
export function ShareBars({ title, parts }: { title: string; parts: { label: string; figure: Figure }[] }) {
  const { lang } = useI18n();
  const numbers = parts.map((p) => (typeof p.figure === "number" ? p.figure : 0));
  const total = numbers.reduce((a, b) => a + b, 0);
  const shown = parts
    .map((part, index) => ({ ...part, value: numbers[index] ?? 0 }))
    .filter((part) => part.figure !== 0 && part.figure !== null)
    .sort((a, b) => b.value - a.value);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <ul class="share-bars">
        {shown.map((part) => {
          const share = total > 0 ? (100 * part.value) / total : 0;
          return (
            <li key={part.label}>
              <span class="share-label">{part.label}</span>
              <span class="share-track" aria-hidden="true">
                <span class="share-fill" style={{ width: `${share}%` }} />
              </span>
              <span class="share-value">
                {formatFigure(part.figure, lang)}
                {typeof part.figure === "number" && total > 0 && ` · ${Math.round(share)} %`}
              </span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
