import type { IncidentKind, IncidentSummary } from "../../api";

export type StatusFilter = "submitted" | "returned" | "open" | "approved" | "all";

export const STATUS_FILTERS: readonly StatusFilter[] = [
  "submitted",
  "returned",
  "open",
  "approved",
  "all",
];

export const INCIDENT_KINDS: readonly IncidentKind[] = [
  "opioid_overdose",
  "stimulant_overdose",
  "other_medical",
  "violence",
  "needlestick",
  "substance_found",
  "privacy_breach",
  "other",
];

/** The queue's filters, as kept in the URL (#/review?status=…&kind=…): a reload keeps them. */
export interface QueueFilters {
  status: StatusFilter;
  kind: IncidentKind | "";
  /** The site's local date of the onset, YYYY-MM-DD, or "". */
  date: string;
  critical: boolean;
  overdue: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the filters from the hash's query; anything unknown falls back to the default. */
export function filtersFrom(query: URLSearchParams): QueueFilters {
  const status = query.get("status") ?? "";
  const kind = query.get("kind") ?? "";
  const date = query.get("date") ?? "";
  return {
    // What waits for a supervisor is the queue's point: it opens on that.
    status: (STATUS_FILTERS as readonly string[]).includes(status)
      ? (status as StatusFilter)
      : "submitted",
    kind: (INCIDENT_KINDS as readonly string[]).includes(kind) ? (kind as IncidentKind) : "",
    date: DATE.test(date) ? date : "",
    critical: query.get("critical") === "true",
    overdue: query.get("overdue") === "true",
  };
}

/** The hash for these filters; defaults are left out so the plain #/review is the usual queue. */
export function hashFor(filters: QueueFilters): string {
  const query = new URLSearchParams();
  if (filters.status !== "submitted") query.set("status", filters.status);
  if (filters.kind) query.set("kind", filters.kind);
  if (filters.date) query.set("date", filters.date);
  if (filters.critical) query.set("critical", "true");
  if (filters.overdue) query.set("overdue", "true");
  const search = query.toString();
  return search ? `#/review?${search}` : "#/review";
}

export interface ListQuery {
  site: string;
  page_size: number;
  status?: Exclude<StatusFilter, "all">;
  kind?: IncidentKind;
  date?: string;
  critical?: boolean;
  overdue?: boolean;
}

/** The API's query for these filters (GET /api/v1/incidents/). */
export function listQuery(site: string, filters: QueueFilters, pageSize = 100): ListQuery {
  return {
    site,
    page_size: pageSize,
    ...(filters.status === "all" ? {} : { status: filters.status }),
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.date ? { date: filters.date } : {}),
    ...(filters.critical ? { critical: true } : {}),
    ...(filters.overdue ? { overdue: true } : {}),
  };
}

type Ordered = Pick<IncidentSummary, "id" | "critical" | "review_due_at" | "started_at">;

/**
 * The review order (docs/domain.md, Records): critical incidents first, then the soonest due; two
 * due at the same time, the latest onset first, then by id so the order never flickers.
 */
export function compareForReview(a: Ordered, b: Ordered): number {
  if (a.critical !== b.critical) return a.critical ? -1 : 1;
  const due = Date.parse(a.review_due_at) - Date.parse(b.review_due_at);
  if (due !== 0) return due;
  const onset = Date.parse(b.started_at) - Date.parse(a.started_at);
  if (onset !== 0) return onset;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function orderForReview<T extends Ordered>(incidents: readonly T[]): T[] {
  return [...incidents].sort(compareForReview);
}
