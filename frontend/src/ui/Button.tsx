import type { ComponentChildren } from "preact";

interface Props {
  children: ComponentChildren;
  onClick?: () => void;
  type?: "button" | "submit";
  variant?: "primary" | "secondary" | "danger";
  /** Disables the button while a request is in flight, so a double tap sends once. */
  busy?: boolean;
}

export function Button({ children, onClick, type = "button", variant = "secondary", busy }: Props) {
  return (
    <button
      type={type}
      class={`btn btn-${variant}`}
      disabled={busy === true}
      aria-busy={busy === true ? "true" : "false"}
      {...(onClick ? { onClick } : {})}
    >
      {children}
    </button>
  );
}
