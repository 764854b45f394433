import { describe, expect, it } from "vitest";
import type { ActionKind } from "../../api";
import { MIN_SPAN_MS, offsetLabel, tickStep, timelineGeometry, type TimelineAction } from "./timeline";

const ONSET = "2025-03-01T10:00:00Z";
const at = (minutes: number) => new Date(Date.parse(ONSET) + minutes * 60_000).toISOString();
let n = 0;
const action = (kind: ActionKind, minutes: number, voided = false): TimelineAction => ({
  id: `a${++n}`,
  kind,
  at: at(minutes),
  voided,
});

describe("the response timeline, to scale", () => {
  it("places the onset at 0, the end at 1, and each action at its offset in time", () => {
    const g = timelineGeometry({
      started_at: ONSET,
      ended_at: at(20),
      actions: [action("naloxone", 5), action("stimulation", 1), action("ems_called", 10)],
    });
    expect(g.onsetX).toBe(0);
    expect(g.endX).toBe(1);
    expect(g.marks.map((m) => [m.action.kind, m.x])).toEqual([
      ["stimulation", 0.05],
      ["naloxone", 0.25],
      ["ems_called", 0.5],
    ]);
    expect(g.marks.map((m) => m.offsetMs)).toEqual([60_000, 300_000, 600_000]);
  });

  it("keeps equal times equally far apart: distance is proportional to time", () => {
    const g = timelineGeometry({
      started_at: ONSET,
      ended_at: at(30),
      actions: [action("oxygen", 3), action("oxygen", 6), action("oxygen", 9)],
    });
    const [a, b, c] = g.marks.map((m) => m.x);
    expect(b! - a!).toBeCloseTo(c! - b!, 10);
    expect(b! - a!).toBeCloseTo(3 / 30, 10);
  });

  it("draws the EMS span from the call to the arrival", () => {
    const g = timelineGeometry({
      started_at: ONSET,
      ended_at: at(40),
      actions: [action("ems_called", 8), action("ems_arrived", 18)],
    });
    expect(g.ems).toEqual({ fromX: 0.2, toX: 0.45, minutes: 10 });
  });

  it("runs the EMS span to the edge while EMS has not arrived, and ignores voided taps", () => {
    const g = timelineGeometry({
      started_at: ONSET,
      ended_at: null,
      actions: [action("ems_called", 2, true), action("ems_called", 4), action("naloxone", 8)],
    });
    expect(g.ems).toEqual({ fromX: 0.5, toX: 1, minutes: null });
    // The voided tap is still drawn, marked.
    expect(g.marks.map((m) => m.action.voided)).toEqual([true, false, false]);
  });

  it("has no EMS span without a live call", () => {
    const g = timelineGeometry({
      started_at: ONSET,
      ended_at: at(10),
      actions: [action("ems_called", 2, true), action("ems_arrived", 5)],
    });
    expect(g.ems).toBeNull();
  });

  it("runs to the last action when the end is not recorded, and to a minimum span", () => {
    const open = timelineGeometry({ started_at: ONSET, ended_at: null, actions: [action("cpr", 6)] });
    expect(open.endX).toBeNull();
    expect(open.marks[0]!.x).toBe(1);
    const short = timelineGeometry({ started_at: ONSET, ended_at: at(0.5), actions: [] });
    expect(short.toMs - short.fromMs).toBe(MIN_SPAN_MS);
    expect(short.endX).toBeCloseTo(0.25, 10);
  });

  it("starts at an action tapped just before the onset, so it is drawn in place", () => {
    const g = timelineGeometry({
      started_at: ONSET,
      ended_at: at(9),
      actions: [action("stimulation", -1)],
    });
    expect(g.marks[0]!.x).toBe(0);
    expect(g.onsetX).toBeCloseTo(0.1, 10);
    expect(g.marks[0]!.offsetMs).toBe(-60_000);
    expect(g.ticks[0]).toEqual({ x: expect.closeTo(0.1, 10), minutes: 0 });
  });

  it("puts ticks every round number of minutes from the onset", () => {
    const g = timelineGeometry({ started_at: ONSET, ended_at: at(20), actions: [] });
    expect(g.ticks.map((t) => t.minutes)).toEqual([0, 5, 10, 15, 20]);
    expect(g.ticks.map((t) => t.x)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(tickStep(3 * 60_000, 8)).toBe(0.5);
    expect(tickStep(90 * 60_000, 8)).toBe(15);
  });

  it("moves a label that would overlap the one before it to the next row", () => {
    const g = timelineGeometry(
      {
        started_at: ONSET,
        ended_at: at(100),
        actions: [action("stimulation", 20), action("oxygen", 25), action("naloxone", 31), action("cpr", 60)],
      },
      { labelWidth: 0.1 },
    );
    expect(g.marks.map((m) => m.lane)).toEqual([0, 1, 0, 0]);
    expect(g.lanes).toBe(2);
  });

  it("grows labels at the edges inwards", () => {
    const g = timelineGeometry({
      started_at: ONSET,
      ended_at: at(10),
      actions: [action("stimulation", 0), action("monitoring", 5), action("vitals", 10)],
    });
    expect(g.marks.map((m) => m.anchor)).toEqual(["start", "middle", "end"]);
  });
});

describe("offsets from the onset", () => {
  it("reads as +m:ss, −m:ss, or +h:mm:ss", () => {
    expect(offsetLabel(95_000)).toBe("+1:35");
    expect(offsetLabel(-30_000)).toBe("−0:30");
    expect(offsetLabel(3_725_000)).toBe("+1:02:05");
  });
});
