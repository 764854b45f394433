import { useState } from "preact/hooks";
import type { DidNotConsumeReason } from "../../api";
import { useI18n } from "../../i18n";
import { duration, minutesSince } from "./time";

export interface TileVisit {
  id: string;
  checkedInAt: string;
  substances: string[];
  /** The participant's visits so far; null when anonymous or not yet known (queued). */
  visitsCount: number | null;
  recentOverdose: boolean;
  longOpen: boolean;
  /** Still in the outbox. */
  queued: boolean;
}

const REASONS: DidNotConsumeReason[] = ["changed_mind", "left", "asked_to_leave", "unwell", "other"];

interface Props {
  label: string;
  /** Brought here by "Go to booth": outlined, its more actions open, and focusable. */
  focused?: boolean;
  visit: TileVisit | null;
  now: number;
  amber: number;
  red: number;
  onCheckIn: () => void;
  onCheckOut: (visit: TileVisit, reason: DidNotConsumeReason | "") => void;
  onOverdose: (visit: TileVisit) => void;
  onService: (visit: TileVisit) => void;
  onReferral: (visit: TileVisit) => void;
}

/** One booth: free (one tap checks someone in) or occupied, coloured by minutes in. */
export function BoothTile(props: Props) {
  const { t } = useI18n();
  const [panel, setPanel] = useState<"none" | "more" | "reason">(props.focused ? "more" : "none");
  const { visit, label } = props;
  const name = t("floor.booth", { label });

  if (!visit) {
    return (
      <li class="booth booth-free" data-booth={label} {...focusable(props.focused)}>
        <button type="button" class="booth-free-button" onClick={props.onCheckIn}>
          <span class="booth-label">{name}</span>
          <span class="booth-state">{t("floor.free")}</span>
        </button>
      </li>
    );
  }

  const minutes = minutesSince(visit.checkedInAt, props.now);
  const level = minutes >= props.red ? "red" : minutes >= props.amber ? "amber" : "ok";
  return (
    <li
      class={`booth booth-occupied booth-${level}${props.focused ? " booth-focused" : ""}`}
      aria-label={name}
      data-booth={label}
      {...focusable(props.focused)}
    >
      <div class="booth-head">
        <span class="booth-label">{name}</span>
        <span class="booth-minutes">{t("floor.minutesIn", { duration: duration(minutes) })}</span>
        <button
          type="button"
          class="btn btn-quiet btn-more"
          aria-label={t("floor.moreIn", { label })}
          aria-expanded={panel === "none" ? "false" : "true"}
          onClick={() => setPanel(panel === "none" ? "more" : "none")}
        >
          ⋯
        </button>
      </div>
      <p class="booth-substances">
        {visit.substances.map((s) => t(`substance.${s}` as "substance.other")).join(", ") ||
          t("floor.noSubstance")}
      </p>
      <p class="booth-flags">
        {level !== "ok" && (
          <span class={`tag tag-${level}`}>
            {t(level === "red" ? "floor.checkNow" : "floor.checkSoon")}
          </span>
        )}
        {visit.recentOverdose && <span class="tag tag-danger">{t("floor.recentOverdose")}</span>}
        {visit.longOpen && <span class="tag tag-amber">{t("floor.longOpen")}</span>}
        {visit.queued && <span class="tag">{t("outbox.queuedTag")}</span>}
      </p>
      <div class="booth-buttons">
        <button
          type="button"
          class="btn btn-danger"
          aria-label={t("floor.overdoseIn", { label })}
          onClick={() => props.onOverdose(visit)}
        >
          {t("floor.overdose")}
        </button>
        <button
          type="button"
          class="btn btn-secondary"
          aria-label={t("floor.checkOutOf", { label })}
          onClick={() => props.onCheckOut(visit, "")}
        >
          {t("floor.checkOut")}
        </button>
      </div>
      {panel === "more" && (
        <div class="booth-more">
          <button
            type="button"
            class="btn btn-quiet btn-small"
            aria-label={t("floor.didNotUseIn", { label })}
            onClick={() => setPanel("reason")}
          >
            {t("floor.didNotUse")}
          </button>
          <button
            type="button"
            class="btn btn-quiet btn-small"
            aria-label={t("floor.serviceIn", { label })}
            onClick={() => props.onService(visit)}
          >
            {t("floor.service")}
          </button>
          <button
            type="button"
            class="btn btn-quiet btn-small"
            aria-label={t("floor.referralIn", { label })}
            onClick={() => props.onReferral(visit)}
          >
            {t("floor.referral")}
          </button>
        </div>
      )}
      {panel === "reason" && (
        <div class="booth-more" role="group" aria-label={t("floor.didNotUseIn", { label })}>
          {REASONS.map((reason) => (
            <button
              key={reason}
              type="button"
              class="btn btn-secondary btn-small"
              onClick={() => props.onCheckOut(visit, reason)}
            >
              {t(`dnc.${reason}`)}
            </button>
          ))}
          <button type="button" class="btn btn-quiet btn-small" onClick={() => setPanel("none")}>
            {t("common.cancel")}
          </button>
        </div>
      )}
    </li>
  );
}

function focusable(focused: boolean | undefined): { tabIndex?: number } {
  return focused ? { tabIndex: -1 } : {};
}
