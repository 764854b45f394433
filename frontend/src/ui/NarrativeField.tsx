import { useI18n } from "../i18n";

/** The free-text account of an incident, with the warning that it must not name anyone. */
export function NarrativeField(props: {
  id: string;
  value: string;
  onValue: (value: string) => void;
  rows?: number;
}) {
  const { t } = useI18n();
  const hint = `${props.id}-hint`;
  return (
    <div class="field">
      <label for={props.id}>{t("recorder.narrative")}</label>
      <p class="muted" id={hint}>
        {t("recorder.narrativeWarning")}
      </p>
      <textarea
        id={props.id}
        rows={props.rows ?? 3}
        value={props.value}
        aria-describedby={hint}
        onInput={(e) => props.onValue(e.currentTarget.value)}
      />
    </div>
  );
}
