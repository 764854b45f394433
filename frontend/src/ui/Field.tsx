import type { RefObject, TargetedInputEvent } from "preact";

interface Props {
  id: string;
  name: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  type?: "text" | "password";
  /** Messages shown under the field (from a 400 answer). */
  errors?: readonly string[] | undefined;
  inputRef?: RefObject<HTMLInputElement | null>;
  autocomplete?: string;
  enterkeyhint?: "next" | "go" | "done" | "send" | "search";
}

/**
 * A visible label above a large input, with its error messages tied to it for screen readers.
 * Text fields never autocorrect or capitalise: they hold codes and usernames, not prose.
 */
export function Field(props: Props) {
  const { id, errors } = props;
  const errorId = `${id}-errors`;
  const invalid = errors !== undefined && errors.length > 0;
  const common = {
    id,
    name: props.name,
    value: props.value,
    onInput: (event: TargetedInputEvent<HTMLInputElement>) => props.onValue(event.currentTarget.value),
    ref: props.inputRef ?? null,
    autocomplete: props.autocomplete ?? "off",
    enterkeyhint: props.enterkeyhint ?? "next",
    "aria-invalid": invalid ? ("true" as const) : ("false" as const),
    ...(invalid ? { "aria-describedby": errorId } : {}),
  };
  return (
    <div class={invalid ? "field field-invalid" : "field"}>
      <label for={id}>{props.label}</label>
      {props.type === "password" ? (
        <input type="password" {...common} />
      ) : (
        <input type="text" {...common} autocapitalize="none" autocorrect="off" spellcheck={false} />
      )}
      {invalid && (
        <ul id={errorId} class="field-errors">
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
