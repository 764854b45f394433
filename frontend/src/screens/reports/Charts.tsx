import { useEffect, useRef } from "preact/hooks";
import { useI18n } from "../../i18n";
import { formatFigure, type Figure } from "./indicators";

export interface Series {
  label: string;
  /** One value per day; null where the day has no number (not computed, or suppressed). */
  values: (number | null)[];
  colour: string;
}

/**
 * Figures per day as lines, drawn by uPlot (loaded only when a report is shown, so the floor
 * app stays small). The same numbers are in the table below it for screen readers.
 */
export function DailyChart({ title, days, series }: { title: string; days: string[]; series: Series[] }) {
  const box = useRef<HTMLDivElement>(null);
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
      chart = new UPlot(
        {
          width: Math.max(280, target.clientWidth),
          height: 220,
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          axes: [axis, axis],
          legend: { show: true },
          series: [
            {},
            ...series.map((s) => ({ label: s.label, stroke: s.colour, width: 2, points: { show: true } })),
          ],
        },
        [days.map((day) => Date.parse(`${day}T12:00:00Z`) / 1000), ...series.map((s) => s.values)],
        target,
      );
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [days, series]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-canvas" aria-hidden="true" />
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
