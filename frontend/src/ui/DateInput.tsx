import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n";

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isIsoDay(text: string): boolean {
  if (!ISO_DAY.test(text)) return false;
  const date = new Date(`${text}T12:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

interface Props {
  id: string;
  value: string;
  /** Called with what is typed: a screen that reloads on it checks `isIsoDay` first; a form
   * sends it and the server names a date that is not one. */
  onValue: (value: string) => void;
  required?: boolean;
}

/**
 * A date typed and shown as YYYY-MM-DD whatever the tablet's own locale (a native date input
 * shows 12/05/2026 on a US-set tablet: the US order, not the Canadian one).
 */
export function DateInput({ id, value, onValue, required }: Props) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const invalid = draft !== "" && !isIsoDay(draft);
  return (
    <input
      id={id}
      type="text"
      inputMode="numeric"
      autocomplete="off"
      placeholder={t("date.placeholder")}
      pattern="\d{4}-\d{2}-\d{2}"
      maxLength={10}
      required={required === true}
      aria-invalid={invalid ? "true" : "false"}
      title={t("date.placeholder")}
      value={draft}
      onInput={(event) => {
        const text = event.currentTarget.value.trim();
        setDraft(text);
        onValue(text);
      }}
    />
  );
}
