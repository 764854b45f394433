import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Site } from "../../api";
import { useI18n } from "../../i18n";
import { mg, minutes, siteTime } from "./format";
import { offsetLabel, timelineGeometry, type TimelineAction, type TimelineInput } from "./timeline";
import "./review.css";

// Rows of the drawing, in px from the top (the width is the container's, drawn in %).
const EMS_Y = 6;
const EMS_H = 24;
const MARKER_LABEL_Y = 50;
const AXIS_Y = 64;
const TICK_LABEL_Y = 88;
const LANE_TOP = 116;
const LANE_H = 46;
/** A label's width in px (two short lines at 0.875rem): the layout keeps them apart. */
const LABEL_PX = 170;

const pct = (x: number) => `${(x * 100).toFixed(3)}%`;

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const measure = () => {
      if (element.clientWidth > 0) setWidth(element.clientWidth);
    };
    measure();
    if (typeof ResizeObserver !== "function") return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

function markClass(action: TimelineAction): string {
  const kind =
    action.kind === "naloxone"
      ? "naloxone"
      : action.kind === "cpr" || action.kind === "aed"
        ? "critical"
        : action.kind.startsWith("ems_") || action.kind === "transported"
          ? "ems"
          : "other";
  return `tl-mark tl-mark-${kind}${action.voided ? " tl-voided" : ""}`;
}

/**
 * The response drawn to scale in time: the onset, each action at its offset, the span from the
 * 911 call to EMS arriving, and the end. The list under it says the same in words (and is what
 * a screen reader reads); voided taps are drawn hollow and struck through.
 */
export function Timeline({ input, site, label }: { input: TimelineInput; site: Site; label: string }) {
  const { t, lang } = useI18n();
  const [ref, width] = useWidth();
  const geometry = timelineGeometry(input, { labelWidth: Math.min(0.5, LABEL_PX / width) });
  const height = LANE_TOP + geometry.lanes * LANE_H;

  const what = (action: TimelineAction) => {
    const name = t(`action.${action.kind}`);
    if (action.kind === "naloxone" && action.dose_mg != null) {
      return `${name} ${mg(Number(action.dose_mg), lang)} mg${action.route ? ` ${action.route}` : ""}`;
    }
    if (action.kind === "vitals") {
      const parts = [
        action.spo2 != null ? `SpO₂ ${action.spo2}%` : "",
        action.resp_rate != null ? t("review.perMinute", { count: action.resp_rate }) : "",
      ].filter(Boolean);
      return parts.length ? `${name} ${parts.join(" · ")}` : name;
    }
    return name;
  };

  return (
    <div class="tl" ref={ref}>
      <svg
        class="tl-drawing"
        width="100%"
        height={height}
        role="img"
        aria-label={label}
        data-testid="timeline-drawing"
      >
        {geometry.ems && (
          <g class="tl-ems" data-testid="timeline-ems">
            <rect
              x={pct(geometry.ems.fromX)}
              y={EMS_Y}
              width={pct(Math.max(geometry.ems.toX - geometry.ems.fromX, 0.002))}
              height={EMS_H}
              rx={4}
              class={geometry.ems.minutes === null ? "tl-ems-open" : ""}
            />
            <text
              x={pct(geometry.ems.toX > 0.6 ? geometry.ems.toX : geometry.ems.fromX)}
              dx={geometry.ems.toX > 0.6 ? -6 : 6}
              y={EMS_Y + EMS_H / 2}
              dominant-baseline="central"
              text-anchor={geometry.ems.toX > 0.6 ? "end" : "start"}
            >
              {geometry.ems.minutes === null
                ? t("review.emsWaiting")
                : t("review.emsSpan", { minutes: minutes(geometry.ems.minutes, lang) })}
            </text>
          </g>
        )}

        <line class="tl-axis" x1="0%" x2="100%" y1={AXIS_Y} y2={AXIS_Y} />
        {geometry.ticks.map((tick) => (
          <g key={tick.minutes} class="tl-tick">
            <line x1={pct(tick.x)} x2={pct(tick.x)} y1={AXIS_Y} y2={AXIS_Y + 8} />
            <text
              x={pct(tick.x)}
              dx={tick.x < 0.03 ? 5 : tick.x > 0.97 ? -5 : 0}
              y={TICK_LABEL_Y}
              text-anchor={tick.x < 0.03 ? "start" : tick.x > 0.97 ? "end" : "middle"}
            >
              {t("review.tickMinutes", { minutes: minutes(tick.minutes, lang) })}
            </text>
          </g>
        ))}

        <g class="tl-onset">
          <line x1={pct(geometry.onsetX)} x2={pct(geometry.onsetX)} y1={MARKER_LABEL_Y - 12} y2={height} />
          <text
            x={pct(geometry.onsetX)}
            dx={geometry.onsetX > 0.9 ? -6 : 6}
            y={MARKER_LABEL_Y}
            text-anchor={geometry.onsetX > 0.9 ? "end" : "start"}
          >
            {t("review.onsetAt", { time: siteTime(input.started_at, site, lang) })}
          </text>
        </g>
        {geometry.endX !== null && input.ended_at && (
          <g class="tl-end">
            <line x1={pct(geometry.endX)} x2={pct(geometry.endX)} y1={MARKER_LABEL_Y - 12} y2={height} />
            <text
              x={pct(geometry.endX)}
              dx={geometry.endX < 0.5 ? 6 : -6}
              y={MARKER_LABEL_Y}
              text-anchor={geometry.endX < 0.5 ? "start" : "end"}
            >
              {t("review.endAt", { time: siteTime(input.ended_at, site, lang) })}
            </text>
          </g>
        )}

        {geometry.marks.map((mark) => {
          const y = LANE_TOP + mark.lane * LANE_H;
          return (
            <g key={mark.action.id} class={markClass(mark.action)} data-kind={mark.action.kind}>
              <line class="tl-stem" x1={pct(mark.x)} x2={pct(mark.x)} y1={AXIS_Y} y2={y - 14} />
              <circle cx={pct(mark.x)} cy={AXIS_Y} r={7} />
              <text x={pct(mark.x)} y={y} text-anchor={mark.anchor} class="tl-label">
                {what(mark.action)}
              </text>
              <text x={pct(mark.x)} y={y + 18} text-anchor={mark.anchor} class="tl-offset">
                {offsetLabel(mark.offsetMs)}
                {mark.action.voided ? ` · ${t("review.voided")}` : ""}
              </text>
            </g>
          );
        })}
      </svg>

      <ol class="tl-list" data-testid="timeline">
        {geometry.marks.map((mark) => (
          <li key={mark.action.id} class={mark.action.voided ? "tl-voided" : ""}>
            <span class="tl-list-at">{offsetLabel(mark.offsetMs)}</span>
            <span class="tl-list-clock">{siteTime(mark.action.at, site, lang)}</span>
            <span class="tl-list-what">{what(mark.action)}</span>
            {mark.action.voided && <span class="tag">{t("review.voided")}</span>}
          </li>
        ))}
        {geometry.marks.length === 0 && <li class="muted">{t("review.noActions")}</li>}
      </ol>
    </div>
  );
}
