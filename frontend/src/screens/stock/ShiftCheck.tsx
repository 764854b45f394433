import { useState } from "preact/hooks";
import type { OxygenLevel, Site, StockItem } from "../../api";
import { useI18n } from "../../i18n";
import { recordShiftCheck } from "../../state/records";
import { Button, Chips, Notice, ScreenHead } from "../../ui";
import { useStock } from "./StockNotice";
import { CRITICAL_ITEMS, expectedCounts, signed } from "./stock";
import "./stock.css";

const OXYGEN_LEVELS: OxygenLevel[] = ["full", "ok", "low", "empty"];
const MAX_COUNT = 10_000;

interface Result {
  item: StockItem;
  /** Unknown while the tablet could not read the stock (offline). */
  expected: number | null;
  counted: number;
}

/**
 * The start-of-shift check on a tablet: count the critical items, tick the equipment, leave a
 * handover note; then see how each count differs from what Vigil expected. The counts are
 * entered before the expected numbers are shown, so nobody copies them.
 */
export function ShiftCheck({ site }: { site: Site }) {
  const { t } = useI18n();
  const stock = useStock(site.slug);
  const [counts, setCounts] = useState<Partial<Record<StockItem, number>>>({});
  const [oxygen, setOxygen] = useState<OxygenLevel | "">("");
  const [aedReady, setAedReady] = useState(true);
  const [bvmPresent, setBvmPresent] = useState(true);
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<Result[] | null>(null);
  const [busy, setBusy] = useState(false);

  function set(item: StockItem, value: number) {
    setCounts({ ...counts, [item]: Math.min(MAX_COUNT, Math.max(0, value)) });
  }

  async function save() {
    if (!oxygen) {
      setProblem(t("shiftCheck.pickOxygen"));
      return;
    }
    setBusy(true);
    const expected = expectedCounts(stock);
    const counted = CRITICAL_ITEMS.map((item) => ({ item, counted: counts[item] ?? 0 }));
    await recordShiftCheck(
      {
        site: site.slug,
        counts: counted,
        equipment: { oxygen_level: oxygen, aed_ready: aedReady, bvm_present: bvmPresent },
        handover_note: note.trim(),
      },
      t("shiftCheck.summary"),
    );
    setBusy(false);
    setProblem(null);
    setResult(
      counted.map((row) => ({ ...row, expected: stock ? (expected[row.item] ?? 0) : null })),
    );
  }

  if (result) {
    const known = result.every((row) => row.expected !== null);
    const differs = result.some((row) => row.counted !== row.expected);
    return (
      <main class="screen" aria-labelledby="check-title">
        <ScreenHead id="check-title" title={t("shiftCheck.title")} />
        <section class="panel check-result" data-testid="check-result">
          <p class="lede">
            {!known ? t("shiftCheck.offline") : differs ? t("shiftCheck.done") : t("shiftCheck.match")}
          </p>
          <table class="stock-table">
            <thead>
              <tr>
                <th scope="col">{t("stock.item")}</th>
                <th scope="col" class="num">
                  {t("shiftCheck.expected")}
                </th>
                <th scope="col" class="num">
                  {t("shiftCheck.counted")}
                </th>
                <th scope="col" class="num">
                  {t("shiftCheck.difference")}
                </th>
              </tr>
            </thead>
            <tbody>
              {result.map((row) => {
                const difference = row.expected === null ? null : row.counted - row.expected;
                return (
                  <tr key={row.item}>
                    <th scope="row">{t(`stockItem.${row.item}`)}</th>
                    <td class="num">{row.expected ?? "—"}</td>
                    <td class="num">{row.counted}</td>
                    <td class={`num${difference ? " diff-off" : ""}`}>{signed(difference)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      </main>
    );
  }

  return (
    <main class="screen" aria-labelledby="check-title">
      <ScreenHead id="check-title" title={t("shiftCheck.title")} />
      <p class="lede">{t("shiftCheck.intro")}</p>
      <section class="panel" aria-labelledby="check-counts">
        <h2 id="check-counts">{t("shiftCheck.counts")}</h2>
        <ul class="steppers">
          {CRITICAL_ITEMS.map((item) => {
            const label = t(`stockItem.${item}`);
            const value = counts[item];
            return (
              <li key={item} class="stepper">
                <label class="stepper-label" for={`count-${item}`}>
                  {label}
                </label>
                <button
                  type="button"
                  class="btn btn-secondary"
                  aria-label={t("shiftCheck.less", { item: label })}
                  onClick={() => set(item, (value ?? 0) - 1)}
                >
                  −
                </button>
                <input
                  id={`count-${item}`}
                  class="stepper-value"
                  inputMode="numeric"
                  size={4}
                  value={value ?? ""}
                  onInput={(e) => {
                    const typed = Number(e.currentTarget.value);
                    if (Number.isInteger(typed)) set(item, typed);
                  }}
                />
                <button
                  type="button"
                  class="btn btn-secondary"
                  aria-label={t("shiftCheck.more", { item: label })}
                  onClick={() => set(item, (value ?? 0) + 1)}
                >
                  +
                </button>
              </li>
            );
          })}
        </ul>
      </section>
      <section class="panel" aria-labelledby="check-equipment">
        <h2 id="check-equipment">{t("shiftCheck.equipment")}</h2>
        <Chips
          label={t("shiftCheck.oxygenLevel")}
          options={OXYGEN_LEVELS.map((level) => ({ value: level, label: t(`shiftCheck.oxygen.${level}`) }))}
          selected={oxygen ? [oxygen] : []}
          onToggle={(value) => setOxygen(value as OxygenLevel)}
          single
        />
        <Chips
          label={t("shiftCheck.aedReady")}
          options={[
            { value: "yes", label: t("shiftCheck.yes") },
            { value: "no", label: t("shiftCheck.no") },
          ]}
          selected={[aedReady ? "yes" : "no"]}
          onToggle={(value) => setAedReady(value === "yes")}
          single
        />
        <Chips
          label={t("shiftCheck.bvmPresent")}
          options={[
            { value: "yes", label: t("shiftCheck.yes") },
            { value: "no", label: t("shiftCheck.no") },
          ]}
          selected={[bvmPresent ? "yes" : "no"]}
          onToggle={(value) => setBvmPresent(value === "yes")}
          single
        />
      </section>
      <section class="panel">
        <div class="field">
          <label for="check-handover">{t("shiftCheck.handover")}</label>
          <textarea
            id="check-handover"
            class="handover"
            maxLength={4000}
            value={note}
            aria-describedby="check-handover-hint"
            onInput={(e) => setNote(e.currentTarget.value)}
          />
          <p id="check-handover-hint" class="muted">
            {t("shiftCheck.handoverHint")}
          </p>
        </div>
      </section>
      {problem && <Notice kind="error">{problem}</Notice>}
      <Button variant="primary" busy={busy} onClick={() => void save()}>
        {t("shiftCheck.save")}
      </Button>
    </main>
  );
}
