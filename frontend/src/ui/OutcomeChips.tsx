import { OUTCOMES, type Outcome } from "../api";
import { useI18n } from "../i18n";
import { Chips } from "./Chips";

/** How an incident ended: one choice, in the order of the recorder and the review. */
export function OutcomeChips(props: { value: Outcome | ""; onValue: (value: Outcome) => void }) {
  const { t } = useI18n();
  return (
    <Chips
      label={t("recorder.outcome")}
      options={OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}`) }))}
      selected={props.value ? [props.value] : []}
      onToggle={(value) => props.onValue(value as Outcome)}
      single
    />
  );
}
