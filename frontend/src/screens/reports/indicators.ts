/**
 * The indicators of docs/domain.md as the reports screens show them: one row per
 * figure, nested maps (`visits_by_substance`…) opened into one row per value, in the order a
 * regulator's form lists them.
 */

/** A figure as the API gives it: a count, a rate, a suppressed small cell ("<10"), or none. */
export type Figure = number | string | null;
export type Metrics = Record<string, unknown>;

export interface Section {
  key: string;
  /** Flat indicators, by name. */
  flat: string[];
  /** Nested maps, opened into one row per value (label key prefix for the value names). */
  nested: { name: string; labelPrefix: string }[];
}

export const SECTIONS: Section[] = [
  {
    key: "visits",
    flat: [
      "visits",
      "consumption_visits",
      "service_only_visits",
      "anonymous_visits",
      "unique_participants",
      "new_participants",
      "median_visit_minutes",
      "peak_occupancy",
    ],
    nested: [
      { name: "visits_by_substance", labelPrefix: "substance" },
      { name: "visits_by_route", labelPrefix: "route" },
    ],
  },
  {
    key: "overdoses",
    flat: [
      "overdoses",
      "fatal_overdoses",
      "overdoses_with_naloxone",
      "naloxone_doses",
      "ems_calls",
      "transports",
      "other_medical_emergencies",
      "overdoses_per_1000_visits",
    ],
    nested: [],
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
];

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
      for (const value of Object.keys(values)) {
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
