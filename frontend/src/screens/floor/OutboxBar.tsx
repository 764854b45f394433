import { useI18n } from "../../i18n";
import type { OutboxState } from "../../outbox";

/** Always on screen: how many records the tablet still holds, and whether any needs a fix. */
export function OutboxBar({ state }: { state: OutboxState }) {
  const { t } = useI18n();
  const parked = state.parked.length;
  const text =
    state.pending === 0
      ? t("outbox.allSent")
      : t(state.online ? "outbox.waiting" : "outbox.waitingOffline", { count: state.pending });
  return (
    <a
      class={`outbox-pill ${parked > 0 ? "outbox-pill-parked" : state.pending > 0 ? "outbox-pill-waiting" : ""}`}
      href="#/outbox"
      data-testid="outbox-count"
      data-pending={state.pending}
    >
      <span role="status">{text}</span>
      {parked > 0 && <span class="outbox-fix">{t("outbox.needFix", { count: parked })}</span>}
    </a>
  );
}
