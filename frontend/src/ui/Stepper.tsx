interface Props {
  id: string;
  label: string;
  /** null: not measured yet (shown as "—"). */
  value: number | null;
  onValue: (value: number | null) => void;
  min: number;
  max: number;
  step?: number;
  /** Where the first −/+ tap starts from when nothing is set. */
  start: number;
  /** One-tap values, the readings seen most often. */
  presets: readonly number[];
  unit?: string;
  /** Names the −/+ buttons for a screen reader ("Less", "More"). */
  less: string;
  more: string;
}

/** A number set without typing: large −/+ buttons around the value, and one-tap presets. */
export function Stepper(props: Props) {
  const { value, min, max, step = 1 } = props;
  const clamp = (n: number) => Math.min(max, Math.max(min, n));
  const by = (delta: number) => props.onValue(clamp((value ?? props.start - delta) + delta));
  const shown = value === null ? "—" : `${value}${props.unit ?? ""}`;
  return (
    <fieldset class="dial" aria-describedby={`${props.id}-value`}>
      <legend>{props.label}</legend>
      <div class="dial-row">
        <button
          type="button"
          class="btn btn-secondary dial-button"
          aria-label={`${props.less}: ${props.label}`}
          disabled={value !== null && value <= min}
          onClick={() => by(-step)}
        >
          −
        </button>
        <output id={`${props.id}-value`} class="dial-value" aria-live="polite">
          {shown}
        </output>
        <button
          type="button"
          class="btn btn-secondary dial-button"
          aria-label={`${props.more}: ${props.label}`}
          disabled={value !== null && value >= max}
          onClick={() => by(step)}
        >
          +
        </button>
      </div>
      <div class="chips dial-presets">
        {props.presets.map((preset) => (
          <button
            key={preset}
            type="button"
            class="chip"
            aria-pressed={value === preset ? "true" : "false"}
            onClick={() => props.onValue(value === preset ? null : preset)}
          >
            {preset}
            {props.unit ?? ""}
          </button>
        ))}
      </div>
    </fieldset>
  );
}
