import type { ComponentChildren } from "preact";

/** A message the screen reader reads out when it appears. */
export function Notice(props: { kind: "error" | "info"; children: ComponentChildren }) {
  return (
    <p class={`notice notice-${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </p>
  );
}
