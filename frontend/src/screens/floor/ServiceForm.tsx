import { useState } from "preact/hooks";
import type { ServiceKind, Site, Substance } from "../../api";
import { useI18n } from "../../i18n";
import { useOutbox } from "../../state/hooks";
import { navigate } from "../../state/route";
import { recordService } from "../../state/records";
import { Button, Chips, Notice, ScreenHead } from "../../ui";
import { SUBSTANCES } from "./CheckIn";
import { CodeLookup, codeProblem, type CodeState } from "./CodeLookup";

const KINDS: ServiceKind[] = [
  "drug_checking",
  "supplies",
  "naloxone_kit",
  "wound_care",
  "vein_care",
  "first_aid",
  "hiv_test",
  "hcv_test",
  "sti_test",
  "vaccination",
  "education",
  "counselling",
  "peer_support",
  "basic_needs",
  "respite",
  "naloxone_training",
  "oat_start",
  "other",
];
const METHODS = ["fentanyl_strip", "benzo_strip", "xylazine_strip", "ftir", "other"] as const;
const TARGETS = ["fentanyl", "benzodiazepine", "xylazine", "nitazene"] as const;
const RESULTS = ["positive", "negative", "not_tested"] as const;
const CLIENT_ACTIONS = ["disposed", "reduced_dose", "used_as_planned", "undecided"] as const;
const ITEMS = [
  "syringe",
  "cooker",
  "filter",
  "water",
  "tourniquet",
  "alcohol_swab",
  "pipe",
  "foil",
  "naloxone_kit",
  "test_strip",
  "sharps_container",
] as const;
const MAX_PER_LINE = 500;

type Target = (typeof TARGETS)[number];
type Item = (typeof ITEMS)[number];

/** A service from a booth tile (tied to the visit) or standalone (a code, or anonymous). */
export function ServiceForm({ site, visit }: { site: Site; visit: string | null }) {
  const { t } = useI18n();
  const { pending } = useOutbox();
  const [kind, setKind] = useState<ServiceKind | "">("");
  const [person, setPerson] = useState<CodeState>({ code: "", found: { kind: "none" }, newConfirmed: false });
  const [expected, setExpected] = useState<Substance | "">("");
  const [method, setMethod] = useState<(typeof METHODS)[number]>("fentanyl_strip");
  const [results, setResults] = useState<Record<Target, (typeof RESULTS)[number]>>({
    fentanyl: "not_tested",
    benzodiazepine: "not_tested",
    xylazine: "not_tested",
    nitazene: "not_tested",
  });
  const [clientAction, setClientAction] = useState<(typeof CLIENT_ACTIONS)[number]>("undecided");
  const [quantities, setQuantities] = useState<Partial<Record<Item, number>>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function step(item: Item, by: number) {
    const next = Math.min(MAX_PER_LINE, Math.max(0, (quantities[item] ?? 0) + by));
    setQuantities({ ...quantities, [item]: next });
  }

  async function save() {
    if (!kind) {
      setProblem(t("service.pickKind"));
      return;
    }
    if (kind === "drug_checking" && !expected) {
      setProblem(t("service.pickExpected"));
      return;
    }
    const supplies = ITEMS.filter((item) => (quantities[item] ?? 0) > 0).map((item) => ({
      item,
      quantity: quantities[item] ?? 0,
    }));
    if (kind === "supplies" && supplies.length === 0) {
      setProblem(t("service.pickSupplies"));
      return;
    }
    const unsettled = visit ? null : codeProblem(person);
    if (unsettled) {
      setProblem(t(unsettled));
      return;
    }
    setBusy(true);
    const normal = person.code;
    await recordService(
      {
        site: site.slug,
        kind,
        ...(visit ? { visit } : normal ? { code: normal } : {}),
        ...(kind === "drug_checking" && expected
          ? {
              drug_check: {
                expected_substance: expected,
                method,
                ...results,
                client_action: clientAction,
              },
            }
          : {}),
        ...(kind === "supplies" ? { supplies } : {}),
      },
      t("summary.service", { kind: t(`serviceKind.${kind}`) }),
      visit ? pending.keyOf.get(visit) : undefined,
    );
    navigate("#/floor");
  }

  return (
    <main class="screen" aria-labelledby="service-title">
      <ScreenHead id="service-title" title={t("service.title")} />
      {visit ? (
        <p class="lede">{t("service.forVisit")}</p>
      ) : (
        <CodeLookup
          site={site}
          id="service"
          label={t("service.code")}
          confirmNew
          onChange={(next) => {
            setPerson(next);
            setProblem(null);
          }}
        />
      )}
      <Chips
        label={t("service.kind")}
        options={KINDS.map((k) => ({ value: k, label: t(`serviceKind.${k}`) }))}
        selected={kind ? [kind] : []}
        onToggle={(value) => {
          setKind(value as ServiceKind);
          setProblem(null);
        }}
        single
      />
      {kind === "drug_checking" && (
        <section class="panel" aria-label={t("serviceKind.drug_checking")}>
          <Chips
            label={t("service.expected")}
            options={SUBSTANCES.map((s) => ({ value: s, label: t(`substance.${s}`) }))}
            selected={expected ? [expected] : []}
            onToggle={(value) => setExpected(value as Substance)}
            single
          />
          <Chips
            label={t("service.method")}
            options={METHODS.map((m) => ({ value: m, label: t(`method.${m}`) }))}
            selected={[method]}
            onToggle={(value) => setMethod(value as (typeof METHODS)[number])}
            single
          />
          {TARGETS.map((target) => (
            <Chips
              key={target}
              label={t(`target.${target}`)}
              options={RESULTS.map((r) => ({ value: r, label: t(`result.${r}`) }))}
              selected={[results[target]]}
              onToggle={(value) => setResults({ ...results, [target]: value as (typeof RESULTS)[number] })}
              single
            />
          ))}
          <Chips
            label={t("service.clientAction")}
            options={CLIENT_ACTIONS.map((a) => ({ value: a, label: t(`clientAction.${a}`) }))}
            selected={[clientAction]}
            onToggle={(value) => setClientAction(value as (typeof CLIENT_ACTIONS)[number])}
            single
          />
        </section>
      )}
      {kind === "supplies" && (
        <section class="panel" aria-label={t("serviceKind.supplies")}>
          <ul class="steppers">
            {ITEMS.map((item) => {
              const label = t(`item.${item}`);
              return (
                <li key={item} class="stepper">
                  <span class="stepper-label" id={`qty-${item}`}>
                    {label}
                  </span>
                  <button
                    type="button"
                    class="btn btn-secondary"
                    aria-label={t("service.less", { item: label })}
                    onClick={() => step(item, -1)}
                  >
                    −
                  </button>
                  <output class="stepper-value" aria-labelledby={`qty-${item}`}>
                    {quantities[item] ?? 0}
                  </output>
                  <button
                    type="button"
                    class="btn btn-secondary"
                    aria-label={t("service.more", { item: label })}
                    onClick={() => step(item, 1)}
                  >
                    +
                  </button>
                  <button
                    type="button"
                    class="btn btn-quiet btn-small"
                    aria-label={t("service.moreTen", { item: label })}
                    onClick={() => step(item, 10)}
                  >
                    +10
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      {problem && <Notice kind="error">{problem}</Notice>}
      <Button variant="primary" busy={busy} onClick={() => void save()}>
        {t("service.save")}
      </Button>
    </main>
  );
}
