import { useState } from "preact/hooks";
import type { Site } from "../../api";
import { useI18n } from "../../i18n";
import { navigate } from "../../state/route";
import { turnAway, type TurnAwayReason } from "../../state/records";
import { Button, Chips, Notice, ScreenHead } from "../../ui";
import { normaliseCode } from "./CodeLookup";
import { TurnAwaysToday } from "./TurnAwaysToday";

const REASONS: TurnAwayReason[] = [
  "capacity",
  "restriction",
  "intoxication",
  "eligibility",
  "closed",
  "other",
];

/** A person who wanted to use the site and could not: why, and their code if they gave it. */
export function TurnAway({ site }: { site: Site }) {
  const { t } = useI18n();
  const [reason, setReason] = useState<TurnAwayReason | null>(null);
  const [code, setCode] = useState("");
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);

  async function record() {
    if (!reason) {
      setMissing(true);
      return;
    }
    setBusy(true);
    const normal = normaliseCode(code);
    await turnAway(
      { site: site.slug, reason, ...(normal ? { code: normal } : {}) },
      t("summary.turnaway", { reason: t(`turnawayReason.${reason}`) }),
    );
    navigate("#/floor");
  }

  return (
    <main class="screen" aria-labelledby="turnaway-title">
      <ScreenHead id="turnaway-title" title={t("turnaway.title")} />
      <Chips
        label={t("turnaway.reason")}
        options={REASONS.map((r) => ({ value: r, label: t(`turnawayReason.${r}`) }))}
        selected={reason ? [reason] : []}
        onToggle={(value) => {
          setReason(value as TurnAwayReason);
          setMissing(false);
        }}
        single
      />
      <div class="field">
        <label for="turnaway-code">{t("turnaway.code")}</label>
        <input
          id="turnaway-code"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          autocapitalize="characters"
          autocorrect="off"
          spellcheck={false}
          autocomplete="off"
        />
      </div>
      {missing && <Notice kind="error">{t("turnaway.pick")}</Notice>}
      <Button variant="primary" busy={busy} onClick={() => void record()}>
        {t("turnaway.record")}
      </Button>
      <TurnAwaysToday site={site} />
    </main>
  );
}
