interface Option {
  value: string;
  label: string;
}

interface Props {
  label: string;
  options: Option[];
  selected: readonly string[];
  onToggle: (value: string) => void;
  /** One choice only (the chips act as radio buttons). */
  single?: boolean;
}

/** Large toggle buttons in a labelled group: one tap each, state read out as pressed. */
export function Chips({ label, options, selected, onToggle, single }: Props) {
  return (
    <fieldset class="chips-group">
      <legend>{label}</legend>
      <div class="chips">
        {options.map((option) => {
          const on = selected.includes(option.value);
          return (
            <button
              key={option.value}
              type="button"
              class="chip"
              aria-pressed={on ? "true" : "false"}
              onClick={() => {
                if (!(single && on)) onToggle(option.value);
              }}
            >
              {option.label}
            </button>
          );
        })}
      </div>
    </fieldset>
  );
}
