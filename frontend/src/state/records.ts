import type {
  ActionKind,
  ConsumptionRoute,
  DidNotConsumeReason,
  IncidentKind,
  Location,
  NaloxoneRoute,
  Outcome,
  ReferralStatus,
  Schemas,
  Substance,
} from "../api";
import { withdraw, type OutboxEntry } from "../outbox";
import { write, type WriteBody } from "../outbox/write";

/**
 * Every write of the floor app, as an outbox entry. Each record gets its UUID here, on the
 * tablet, so that a resend after a lost answer is recognised by the server (same id, same
 * content: the stored record). Times are taken at the tap, not when the Wi-Fi comes back.
 */

const now = () => new Date().toISOString();

export type Sign = Schemas["SignsEnum"];

/** How long a tap can be taken back with one touch ("Undo"); after it, it is voided with a reason. */
export const UNDO_MS = 8_000;

export interface CheckIn {
  site: string;
  code?: string;
  kind: "consumption" | "service_only";
  booth?: string;
  substances: Substance[];
  routes: ConsumptionRoute[];
  assisted?: "none" | "peer" | "staff";
  shared_supply?: boolean;
  /** Why a person restricted at the site is let in (audited). */
  override_reason?: string;
  /** The waiting-list entry checked in (taken off the list). */
  waitlist?: string;
}

export async function checkIn(input: CheckIn, summary: string): Promise<string> {
  const id = crypto.randomUUID();
  const body: WriteBody<"/api/v1/visits/", "POST"> = {
    id,
    site: input.site,
    kind: input.kind,
    checked_in_at: now(),
    substances: input.substances,
    routes: input.routes,
    ...(input.code ? { code: input.code } : {}),
    ...(input.booth ? { booth: input.booth } : {}),
    ...(input.assisted && input.assisted !== "none" ? { assisted: input.assisted } : {}),
    ...(input.shared_supply ? { shared_supply: true } : {}),
    ...(input.override_reason ? { override_reason: input.override_reason } : {}),
    ...(input.waitlist ? { waitlist: input.waitlist } : {}),
  };
  await write({ method: "POST", path: "/api/v1/visits/", body, summary });
  return id;
}

export type TurnAwayReason =
  | "capacity"
  | "restriction"
  | "intoxication"
  | "eligibility"
  | "closed"
  | "other";

/** A person who wanted to use the site and could not. */
export async function turnAway(
  input: { site: string; reason: TurnAwayReason; code?: string },
  summary: string,
): Promise<void> {
  await write({
    method: "POST",
    path: "/api/v1/turnaways/",
    body: {
      id: crypto.randomUUID(),
      site: input.site,
      reason: input.reason,
      at: now(),
      ...(input.code ? { code: input.code } : {}),
    },
    summary,
  });
}

/** Puts a person (by code, or anonymous) on the waiting list; returns the entry's id. */
export async function waitlistAdd(
  input: { site: string; code?: string },
  summary: string,
): Promise<string> {
  const id = crypto.randomUUID();
  await write({
    method: "POST",
    path: "/api/v1/waitlist/",
    body: { id, site: input.site, ...(input.code ? { code: input.code } : {}) },
    summary,
  });
  return id;
}

/** The person left without a booth: a turn-away (capacity). */
export async function waitlistLeave(entry: string, summary: string, after?: string): Promise<void> {
  await write({
    method: "POST",
    path: "/api/v1/waitlist/{entry_id}/leave",
    params: { entry_id: entry },
    body: { reason: "capacity" },
    summary,
    ...(after ? { dependsOn: after } : {}),
  });
}

/**
 * Checks a visit out at the tap; the check-out waits `UNDO_MS` in the outbox before it is sent,
 * so that `undoCheckOut` can take a mis-tap back before anything is recorded. Returns its key.
 */
export async function checkOut(
  visit: string,
  reason: DidNotConsumeReason | "",
  summary: string,
  after?: string,
): Promise<string> {
  return write({
    method: "POST",
    path: "/api/v1/visits/{visit_id}/check-out",
    params: { visit_id: visit },
    body: { checked_out_at: now(), ...(reason ? { did_not_consume_reason: reason } : {}) },
    summary,
    holdMs: UNDO_MS,
    ...(after ? { dependsOn: after } : {}),
  });
}

/** Outbox keys of writes taken back before they were sent: never shown again. */
const takenBack = new Set<string>();

async function takeBack(key: string): Promise<boolean> {
  const gone = await withdraw(key);
  if (gone) takenBack.add(key);
  return gone;
}

export function wasTakenBack(key: string): boolean {
  return takenBack.has(key);
}

/** False when the check-out has already been sent. */
export function undoCheckOut(key: string): Promise<boolean> {
  return takeBack(key);
}

export interface IncidentStart {
  site: string;
  kind: IncidentKind;
  location: Location;
  visit?: string;
  /** What the person said they used at check-in: the first guess of what caused it. */
  suspected_substances?: Substance[];
}

/** Opens an incident now; returns its id and the outbox key later taps depend on. */
export async function openIncident(
  input: IncidentStart,
  summary: string,
  after?: string,
): Promise<{ id: string; key: string }> {
  const id = crypto.randomUUID();
  const key = await write({
    method: "POST",
    path: "/api/v1/incidents/",
    body: {
      id,
      site: input.site,
      kind: input.kind,
      location: input.location,
      started_at: now(),
      signs: [],
      suspected_substances: input.suspected_substances ?? [],
      ...(input.visit ? { visit: input.visit } : {}),
    },
    summary,
    ...(after ? { dependsOn: after } : {}),
  });
  return { id, key };
}

export interface Tap {
  kind: ActionKind;
  dose_mg?: number;
  route?: NaloxoneRoute;
  spo2?: number;
  resp_rate?: number;
}

/** Records a tap now; returns the action's id and its outbox key (for an undo). */
export async function tapAction(
  incident: string,
  tap: Tap,
  summary: string,
  after?: string,
): Promise<{ id: string; key: string }> {
  const id = crypto.randomUUID();
  const key = await write({
    method: "POST",
    path: "/api/v1/incidents/{incident_id}/actions/",
    params: { incident_id: incident },
    body: { id, at: now(), ...tap },
    summary,
    ...(after ? { dependsOn: after } : {}),
  });
  return { id, key };
}

/**
 * Takes an action back: still in the outbox, it is withdrawn (nothing was recorded); sent, it
 * is voided with the reason (it stays on the timeline, marked, and counts for nothing).
 */
export async function voidAction(
  incident: string,
  action: { id: string; key?: string | undefined },
  reason: string,
  summary: string,
): Promise<void> {
  if (action.key && (await takeBack(action.key))) return;
  await write({
    method: "POST",
    path: "/api/v1/incidents/{incident_id}/actions/{action_id}/void",
    params: { incident_id: incident, action_id: action.id },
    body: { reason },
    summary,
    ...(action.key ? { dependsOn: action.key } : {}),
  });
}

export interface Completion {
  signs: Sign[];
  suspected_substances: Substance[];
  /** Usernames of the staff who responded. */
  responders: string[];
  outcome: Outcome;
  ended_at: string;
  police_attended: boolean;
  narrative: string;
  version: number;
}

/**
 * Moves the onset (the person was found some minutes before the alarm): an edit at the version
 * read, queued after the incident itself when that is still in the outbox.
 */
export async function moveOnset(
  incident: string,
  startedAt: string,
  version: number,
  summary: string,
  after?: string,
): Promise<void> {
  await write({
    method: "PATCH",
    path: "/api/v1/incidents/{incident_id}",
    params: { incident_id: incident },
    body: { started_at: startedAt, version },
    summary,
    ...(after ? { dependsOn: after } : {}),
  });
}

/** The onset of the newest queued edit that moves it, if any. */
export function queuedOnset(entries: readonly OutboxEntry[], incident: string): string | null {
  let onset: string | null = null;
  for (const entry of entries) {
    if (entry.method === "PATCH" && entry.path === `/incidents/${incident}`) {
      const at = entry.body["started_at"];
      if (typeof at === "string") onset = at;
    }
  }
  return onset;
}

/** Queued edits of the incident: each one moves its version on by one when it is applied. */
export function queuedEdits(entries: readonly OutboxEntry[], incident: string): number {
  return entries.filter((e) => e.method === "PATCH" && e.path === `/incidents/${incident}`).length;
}

/** Saves the completed record, then submits it for review (the submit waits for the save). */
export async function completeIncident(
  incident: string,
  completion: Completion,
  summaries: { save: string; submit: string },
  after?: string,
): Promise<void> {
  const save = await write({
    method: "PATCH",
    path: "/api/v1/incidents/{incident_id}",
    params: { incident_id: incident },
    body: { ...completion },
    summary: summaries.save,
    ...(after ? { dependsOn: after } : {}),
  });
  await write({
    method: "POST",
    path: "/api/v1/incidents/{incident_id}/submit",
    params: { incident_id: incident },
    body: {},
    summary: summaries.submit,
    dependsOn: save,
  });
}

/** A service as the floor records it: the schema's body, less the id and time set here. */
export type ServiceRecord = Omit<WriteBody<"/api/v1/services/", "POST">, "id" | "at">;

/** A referral as the floor records it: the schema's body, less the id and time set here. */
export type ReferralRecord = Omit<WriteBody<"/api/v1/referrals/", "POST">, "id" | "at">;

/** A service or a referral: a new record with its own id, timed at the tap. */
export async function recordService(input: ServiceRecord, summary: string, after?: string): Promise<void> {
  await write({
    method: "POST",
    path: "/api/v1/services/",
    body: { id: crypto.randomUUID(), at: now(), ...input },
    summary,
    ...(after ? { dependsOn: after } : {}),
  });
}

export async function recordReferral(input: ReferralRecord, summary: string, after?: string): Promise<void> {
  await write({
    method: "POST",
    path: "/api/v1/referrals/",
    body: { id: crypto.randomUUID(), at: now(), ...input },
    summary,
    ...(after ? { dependsOn: after } : {}),
  });
}

export async function referralFollowUp(
  referral: string,
  status: ReferralStatus,
  summary: string,
): Promise<void> {
  await write({
    method: "POST",
    path: "/api/v1/referrals/{referral_id}/status",
    params: { referral_id: referral },
    body: { id: crypto.randomUUID(), status, at: now() },
    summary,
  });
}

export type StockReceipt = WriteBody<"/api/v1/stock/receipts", "POST">;

export async function recordReceipt(input: StockReceipt, summary: string): Promise<void> {
  await write({
    method: "POST",
    path: "/api/v1/stock/receipts",
    body: { ...input, id: crypto.randomUUID() },
    summary,
  });
}

export type ShiftCheckRecord = WriteBody<"/api/v1/stock/checks", "POST">;

export async function recordShiftCheck(input: ShiftCheckRecord, summary: string): Promise<void> {
  await write({
    method: "POST",
    path: "/api/v1/stock/checks",
    body: { ...input, id: crypto.randomUUID() },
    summary,
  });
}

export type DebriefRecord = WriteBody<"/api/v1/incidents/{incident_id}/debrief", "POST">;

export async function recordDebrief(
  incident: string,
  input: DebriefRecord,
  summary: string,
): Promise<void> {
  await write({
    method: "POST",
    path: "/api/v1/incidents/{incident_id}/debrief",
    params: { incident_id: incident },
    body: input,
    summary,
  });
}

/** The queued writes to one path (e.g. "/alerts/<id>"), in sending order. */
export function entriesTo(
  entries: readonly OutboxEntry[],
  method: OutboxEntry["method"],
  path: string,
): OutboxEntry[] {
  return entries.filter((e) => e.method === method && e.path === path);
}

// --- What the outbox still holds, as the floor should show it --------------------------------

export interface PendingVisit {
  id: string;
  key: string;
  booth: string | null;
  kind: string;
  checked_in_at: string;
  substances: string[];
}

export interface PendingIncident {
  id: string;
  key: string;
  kind: IncidentKind;
  location: Location;
  visit: string | null;
  started_at: string;
  suspected_substances: Substance[];
}

export interface PendingAction {
  id: string;
  key: string;
  incident: string;
  kind: ActionKind;
  at: string;
  dose_mg?: number;
  route?: string;
  spo2?: number;
  resp_rate?: number;
}

export interface Pending {
  visits: PendingVisit[];
  /** Visit id → key of its queued check-out. */
  checkOuts: Map<string, string>;
  incidents: PendingIncident[];
  actions: PendingAction[];
  /** Incident ids whose submission is queued. */
  submitted: Set<string>;
  /** Action ids whose void is queued. */
  voidedActions: Set<string>;
  /** Record id → outbox key, for writes that must wait for a record still queued. */
  keyOf: Map<string, string>;
}

const str = (value: unknown): string => (typeof value === "string" ? value : "");

/** Reads the queued writes back as records, so the floor shows them before they are sent. */
export function pendingRecords(entries: readonly OutboxEntry[]): Pending {
  const pending: Pending = {
    visits: [],
    checkOuts: new Map(),
    incidents: [],
    actions: [],
    submitted: new Set(),
    voidedActions: new Set(),
    keyOf: new Map(),
  };
  for (const entry of entries) {
    const { body, path, key } = entry;
    const parts = path.split("/").filter(Boolean);
    if (entry.method === "POST" && path === "/visits/") {
      pending.visits.push({
        id: str(body["id"]),
        key,
        booth: str(body["booth"]) || null,
        kind: str(body["kind"]),
        checked_in_at: str(body["checked_in_at"]),
        substances: Array.isArray(body["substances"]) ? (body["substances"] as string[]) : [],
      });
      pending.keyOf.set(str(body["id"]), key);
    } else if (parts[0] === "visits" && parts[2] === "check-out" && parts[1]) {
      pending.checkOuts.set(parts[1], key);
    } else if (entry.method === "POST" && path === "/incidents/") {
      pending.incidents.push({
        id: str(body["id"]),
        key,
        kind: str(body["kind"]) as IncidentKind,
        location: str(body["location"]) as Location,
        visit: str(body["visit"]) || null,
        started_at: str(body["started_at"]),
        suspected_substances: Array.isArray(body["suspected_substances"])
          ? (body["suspected_substances"] as Substance[])
          : [],
      });
      pending.keyOf.set(str(body["id"]), key);
    } else if (parts[0] === "incidents" && parts[2] === "actions" && parts[4] === "void") {
      pending.voidedActions.add(parts[3] ?? "");
    } else if (parts[0] === "incidents" && parts[2] === "actions" && parts[1] && !parts[3]) {
      pending.actions.push({
        id: str(body["id"]),
        key,
        incident: parts[1],
        kind: str(body["kind"]) as ActionKind,
        at: str(body["at"]),
        ...(typeof body["dose_mg"] === "number" ? { dose_mg: body["dose_mg"] } : {}),
        ...(body["route"] ? { route: str(body["route"]) } : {}),
        ...(typeof body["spo2"] === "number" ? { spo2: body["spo2"] } : {}),
        ...(typeof body["resp_rate"] === "number" ? { resp_rate: body["resp_rate"] } : {}),
      });
    } else if (parts[0] === "incidents" && parts[2] === "submit" && parts[1]) {
      pending.submitted.add(parts[1]);
    }
  }
  return pending;
}

function byId<T extends { id: string; key: string }>(first: T[], second: T[]): T[] {
  const seen = new Set(second.map((item) => item.id));
  return [...first.filter((item) => !seen.has(item.id) && !takenBack.has(item.key)), ...second];
}

/** Everything either holds: what was queued a moment ago and what is queued now. */
export function mergePending(before: Pending, now: Pending): Pending {
  return {
    visits: byId(before.visits, now.visits),
    checkOuts: new Map([
      ...[...before.checkOuts].filter(([, key]) => !takenBack.has(key)),
      ...now.checkOuts,
    ]),
    incidents: byId(before.incidents, now.incidents),
    actions: byId(before.actions, now.actions),
    submitted: new Set([...before.submitted, ...now.submitted]),
    voidedActions: new Set([...before.voidedActions, ...now.voidedActions]),
    keyOf: new Map([...before.keyOf, ...now.keyOf]),
  };
}
