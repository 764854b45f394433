import type { ActionKind } from "../../api";

/**
 * The geometry of the response timeline, drawn to scale in time: every position is the fraction
 * (0–1) of the drawn span, from the onset (or an action tapped just before it) to the end of the
 * response (or the last action when the end is not recorded yet).
 */

export interface TimelineAction {
  id: string;
  kind: ActionKind;
  at: string;
  voided: boolean;
  dose_mg?: number | null;
  route?: string | null;
  spo2?: number | null;
  resp_rate?: number | null;
}

export interface TimelineInput {
  started_at: string;
  ended_at: string | null;
  actions: readonly TimelineAction[];
}

export type Anchor = "start" | "middle" | "end";

export interface Mark {
  action: TimelineAction;
  /** Milliseconds from the onset (negative for a tap just before it). */
  offsetMs: number;
  x: number;
  /** Label row, 0 the nearest the axis: labels that would overlap go one row further. */
  lane: number;
  anchor: Anchor;
}

export interface Tick {
  x: number;
  minutes: number;
}

export interface EmsSpan {
  fromX: number;
  toX: number;
  /** Called → arrived, or null while EMS has not arrived. */
  minutes: number | null;
}

export interface Geometry {
  /** Epoch ms of the drawn span's left and right edges. */
  fromMs: number;
  toMs: number;
  onsetX: number;
  /** Where the recorded end of the response is, or null when it is not recorded. */
  endX: number | null;
  ticks: Tick[];
  marks: Mark[];
  ems: EmsSpan | null;
  lanes: number;
}

export interface LayoutOptions {
  /** A label's width as a fraction of the drawn span (the component knows its font). */
  labelWidth: number;
  /** At most this many tick intervals along the axis. */
  maxTicks: number;
}

const MINUTE = 60_000;
/** Shortest span drawn: one tap a few seconds after the onset is not stretched edge to edge. */
export const MIN_SPAN_MS = 2 * MINUTE;
const TICK_STEPS_MIN = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 1440];
const DEFAULTS: LayoutOptions = { labelWidth: 0.14, maxTicks: 8 };

/** The tick step (minutes): the smallest round step giving at most `maxTicks` intervals. */
export function tickStep(spanMs: number, maxTicks: number): number {
  const minutes = spanMs / MINUTE;
  for (const step of TICK_STEPS_MIN) if (minutes / step <= maxTicks) return step;
  return Math.ceil(minutes / maxTicks / 1440) * 1440;
}

function anchorAt(x: number, half: number): Anchor {
  if (x < half) return "start";
  if (x > 1 - half) return "end";
  return "middle";
}

function extent(x: number, anchor: Anchor, width: number): [number, number] {
  if (anchor === "start") return [x, x + width];
  if (anchor === "end") return [x - width, x];
  return [x - width / 2, x + width / 2];
}

/**
 * 1. The span runs from the earlier of onset and first action to the latest of end, last action
 *    and onset + MIN_SPAN_MS; each time maps linearly to 0–1 across it.
 * 2. Ticks every round number of minutes from the onset, within the span.
 * 3. Marks in time order; each label takes the first row where it does not overlap the label
 *    before it in that row. Labels near an edge grow inwards, so none leaves the drawing.
 * 4. EMS: from the first live 911 call to the first live arrival after it (to the span's end
 *    while EMS has not arrived). Voided actions are drawn (marked) but never open the span.
 */
export function timelineGeometry(input: TimelineInput, options: Partial<LayoutOptions> = {}): Geometry {
  const { labelWidth, maxTicks } = { ...DEFAULTS, ...options };
  const onset = Date.parse(input.started_at);
  const end = input.ended_at ? Date.parse(input.ended_at) : null;
  const actions = [...input.actions]
    .map((action) => ({ action, at: Date.parse(action.at) }))
    .filter((a) => Number.isFinite(a.at))
    .sort((a, b) => a.at - b.at || (a.action.id < b.action.id ? -1 : 1));

  const times = actions.map((a) => a.at);
  const fromMs = Math.min(onset, ...times);
  const toMs = Math.max(onset + MIN_SPAN_MS, end ?? onset, ...times);
  const span = toMs - fromMs;
  const xOf = (ms: number) => (ms - fromMs) / span;

  const step = tickStep(toMs - onset, maxTicks);
  const ticks: Tick[] = [];
  for (let k = Math.ceil((fromMs - onset) / (step * MINUTE)) || 0; onset + k * step * MINUTE <= toMs; k++) {
    ticks.push({ x: xOf(onset + k * step * MINUTE), minutes: k * step });
  }

  const laneRight: number[] = [];
  const gap = labelWidth * 0.05;
  const marks: Mark[] = actions.map(({ action, at }) => {
    const x = xOf(at);
    const anchor = anchorAt(x, labelWidth / 2);
    const [left, right] = extent(x, anchor, labelWidth);
    let lane = laneRight.findIndex((r) => r + gap <= left);
    if (lane === -1) {
      lane = laneRight.length;
      laneRight.push(right);
    } else {
      laneRight[lane] = right;
    }
    return { action, offsetMs: at - onset, x, lane, anchor };
  });

  const live = actions.filter((a) => !a.action.voided);
  const called = live.find((a) => a.action.kind === "ems_called");
  const arrived = called
    ? live.find((a) => a.action.kind === "ems_arrived" && a.at >= called.at)
    : undefined;
  const ems: EmsSpan | null = called
    ? {
        fromX: xOf(called.at),
        toX: arrived ? xOf(arrived.at) : 1,
        minutes: arrived ? (arrived.at - called.at) / MINUTE : null,
      }
    : null;

  return {
    fromMs,
    toMs,
    onsetX: xOf(onset),
    endX: end === null ? null : xOf(end),
    ticks,
    marks,
    ems,
    lanes: Math.max(1, laneRight.length),
  };
}

/** +m:ss (or −m:ss, or +h:mm:ss) from the onset. */
export function offsetLabel(ms: number): string {
  const sign = ms < 0 ? "−" : "+";
  const total = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${sign}${h}:${pad(m)}:${pad(s)}` : `${sign}${m}:${pad(s)}`;
}
