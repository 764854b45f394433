import type { components } from "../../api/schema";

/**
 * The indicators of docs/domain.md as the reports screens show them: one row per
 * figure, nested maps (`visits_by_substance`…) opened into one row per value, in the order a
 * regulator's form lists them.
 */

/** A figure as the API gives it: a count, a rate, a suppressed small cell ("<10"), or none. */
export type Figure = number | string | null;
export type Metrics = Record<string, unknown>;

type Schemas = components["schemas"];
type ReportMetrics = Schemas["ReportMetrics"];
/** Every indicator the API's schema names (`ReportMetrics`, generated from the backend). */
export type Indicator = keyof ReportMetrics;
/** Indicators that are a map (a count per value); the others are one figure. */
type MapIndicator = {
  [K in Indicator]: ReportMetrics[K] extends Record<string, unknown> ? K : never;
}[Indicator];
type FlatIndicator = Exclude<Indicator, MapIndicator>;
/** The crossed tables (age band × gender), shown by `CrossedTable`, not as rows. */
type CrossedIndicator = "participants_by_age_gender" | "new_participants_by_age_gender";

export interface Section {
  key: string;
  /** Flat indicators, by name. */
  flat: readonly FlatIndicator[];
  /** Nested maps, opened into one row per value (label key prefix for the value names). */
  nested: readonly { name: Exclude<MapIndicator, CrossedIndicator>; labelPrefix: string }[];
}

const LISTED = [
  {
    key: "visits",
    flat: [
      "visits",
      "consumption_visits",
      "service_only_visits",
      "anonymous_visits",
      "assisted_visits",
      "shared_supply_visits",
      "unique_participants",
      "new_participants",
      "median_visit_minutes",
      "peak_occupancy",
    ],
    nested: [
      { name: "visits_by_time_band", labelPrefix: "timeBand" },
      { name: "visits_by_substance", labelPrefix: "substance" },
      { name: "visits_by_route", labelPrefix: "route" },
    ],
  },
  {
    key: "participants",
    flat: [],
    nested: [
      { name: "participants_by_age_band", labelPrefix: "age" },
      { name: "participants_by_gender", labelPrefix: "gender" },
      { name: "new_participants_by_age_band", labelPrefix: "age" },
      { name: "new_participants_by_gender", labelPrefix: "gender" },
    ],
  },
  {
    key: "overdoses",
    flat: [
      "overdoses",
      "fatal_overdoses",
      "overdoses_with_naloxone",
      "overdoses_without_naloxone",
      "overdoses_naloxone_by_staff",
      "overdoses_staff_only",
      "overdoses_ems_treated",
      "overdoses_with_oxygen",
      "naloxone_doses",
      "overdose_ems_calls",
      "ems_calls",
      "transports",
      "other_medical_emergencies",
      "police_attended",
      "overdoses_per_1000_visits",
    ],
    nested: [{ name: "incidents_by_kind", labelPrefix: "incidentKind" }],
  },
  {
    key: "services",
    flat: [
      "drug_checks",
      "drug_checks_fentanyl_positive",
      "drug_checks_benzodiazepine_positive",
      "drug_checks_xylazine_positive",
      "drug_checks_nitazene_positive",
    ],
    nested: [
      { name: "services_by_kind", labelPrefix: "serviceKind" },
      { name: "supplies_by_item", labelPrefix: "item" },
    ],
  },
  {
    key: "referrals",
    flat: ["referrals", "referrals_onsite", "referrals_offsite", "referrals_accepted"],
    nested: [{ name: "referrals_by_category", labelPrefix: "category" }],
  },
  {
    key: "safety",
    flat: ["restrictions_started"],
    nested: [
      { name: "turnaways_by_reason", labelPrefix: "turnawayReason" },
      { name: "alerts_by_source", labelPrefix: "alertSource" },
      { name: "complaints_by_category", labelPrefix: "complaintCategory" },
    ],
  },
] as const satisfies readonly Section[];
export const SECTIONS: readonly Section[] = LISTED;

type Shown =
  | (typeof LISTED)[number]["flat"][number]
  | (typeof LISTED)[number]["nested"][number]["name"]
  | CrossedIndicator;
/** The build fails when the schema has an indicator no section shows (a new one, or a renamed one). */
export const EVERY_INDICATOR_SHOWN: [Exclude<Indicator, Shown>] extends [never] ? true : Exclude<Indicator, Shown> = true;

/** An order for the value names of a breakdown of the schema: the build fails if it names a
 * value the schema does not have, or leaves one out. */
function orderOf<Name extends keyof Schemas>() {
  return <const T extends readonly (keyof Schemas[Name] & string)[]>(
    order: T & ([Exclude<keyof Schemas[Name], T[number]>] extends [never] ? unknown : never),
  ): readonly string[] => order;
}

/** Value names whose order means something (the database may give them in any order). */
const ORDERS: Record<string, readonly string[]> = {
  age: orderOf<"ParticipantsByAgeBand">()(["under_20", "20_29", "30_39", "40_49", "50_59", "60_plus", "unknown"]),
  gender: orderOf<"ParticipantsByGender">()(["woman", "man", "non_binary", "unknown"]),
  timeBand: orderOf<"VisitsByTimeBand">()(["07_12", "12_17", "17_22", "22_03", "03_07"]),
  turnawayReason: orderOf<"TurnawaysByReason">()([
    "capacity",
    "restriction",
    "intoxication",
    "eligibility",
    "closed",
    "other",
  ]),
  alertSource: orderOf<"AlertsBySource">()(["manual", "overdose_cluster", "drug_check"]),
};

function ordered(labelPrefix: string, names: string[]): string[] {
  const order = ORDERS[labelPrefix];
  if (!order) return names;
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return [...names].sort((a, b) => rank(a) - rank(b));
}

export interface Row {
  /** "visits" or "visits_by_substance.fentanyl". */
  path: string;
  /** i18n key of the label. */
  label: string;
  nested: boolean;
}

/** Every row of a section, the nested ones with the values the metrics hold. */
export function rowsOf(section: Section, sample: Metrics | undefined): Row[] {
  const rows: Row[] = section.flat.map((name) => ({
    path: name,
    label: `indicator.${name}`,
    nested: false,
  }));
  for (const { name, labelPrefix } of section.nested) {
    rows.push({ path: name, label: `indicator.${name}`, nested: false });
    const values = sample?.[name];
    if (values && typeof values === "object") {
      for (const value of ordered(labelPrefix, Object.keys(values))) {
        rows.push({ path: `${name}.${value}`, label: `${labelPrefix}.${value}`, nested: true });
      }
    }
  }
  return rows;
}

/** The figure at a row's path: a nested map's own row is the sum of its values. */
export function figureAt(metrics: Metrics | undefined, path: string): Figure {
  if (!metrics) return null;
  const [name = "", value] = path.split(".");
  const raw = metrics[name];
  if (value !== undefined) {
    const inner = raw && typeof raw === "object" ? (raw as Record<string, unknown>)[value] : null;
    return asFigure(inner);
  }
  if (raw && typeof raw === "object") {
    const parts = Object.values(raw as Record<string, unknown>).map(asFigure);
    return parts.every((p) => typeof p === "number")
      ? (parts as number[]).reduce((a, b) => a + b, 0)
      : null;
  }
  return asFigure(raw);
}

function asFigure(value: unknown): Figure {
  return typeof value === "number" || typeof value === "string" ? value : null;
}

/** A figure for people: numbers in the user's language, suppressed cells as the server says. */
export function formatFigure(figure: Figure, lang: string): string {
  if (figure === null) return "—";
  if (typeof figure === "string") return figure;
  return figure.toLocaleString(lang, { maximumFractionDigits: 1 });
}

/** Sum of a figure over days, or null as soon as one day's cell is not a number. */
export function numberOr(figure: Figure): number | null {
  return typeof figure === "number" ? figure : null;
}

/** The crossed table of participants: age bands (rows) by gender (columns), as the API nests it. */
export interface Crossed {
  bands: string[];
  genders: string[];
  cell: (band: string, gender: string) => Figure;
}

export function crossedOf(metrics: Metrics | undefined, name: string): Crossed | null {
  const table = metrics?.[name];
  if (!table || typeof table !== "object") return null;
  const rows = table as Record<string, Record<string, unknown>>;
  const bands = ordered("age", Object.keys(rows));
  const genders = ordered("gender", Object.keys(rows[bands[0] ?? ""] ?? {}));
  return { bands, genders, cell: (band, gender) => asFigure(rows[band]?.[gender]) };
}
