import { useI18n } from "../i18n";

/**
 * What was just recorded, and while it can still be taken back with one touch, an Undo button.
 * `floating` sits over the bottom of the screen (the floor), otherwise it is in the page.
 */
export function UndoStrip(props: {
  text: string;
  onUndo?: (() => void) | undefined;
  floating?: boolean;
}) {
  const { t } = useI18n();
  return (
    <div
      class={`undo-strip${props.floating ? " undo-strip-floating" : ""}`}
      data-testid="undo-strip"
    >
      <span role="status">{props.text}</span>
      {props.onUndo && (
        <button type="button" class="btn btn-secondary btn-small" onClick={props.onUndo}>
          {t("common.undo")}
        </button>
      )}
    </div>
  );
}
