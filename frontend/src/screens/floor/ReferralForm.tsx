import { useState } from "preact/hooks";
import type { ReferralCategory, ReferralStatus, Site } from "../../api";
import { useI18n } from "../../i18n";
import { useOutbox } from "../../state/hooks";
import { navigate } from "../../state/route";
import { recordReferral, referralFollowUp } from "../../state/records";
import { Button, Chips, Notice, ScreenHead } from "../../ui";
import { CodeLookup, codeProblem, type CodeState } from "./CodeLookup";
import { formatDate } from "../../i18n/dates";

const CATEGORIES: ReferralCategory[] = [
  "oat",
  "withdrawal_management",
  "residential_treatment",
  "addiction_counselling",
  "mental_health",
  "primary_care",
  "hiv_hcv_care",
  "housing",
  "income_social",
  "legal",
  "identification",
  "food_basic_needs",
  "other",
];
const NEXT: Record<string, ReferralStatus[]> = {
  offered: ["accepted", "declined"],
  accepted: ["attended", "not_attended", "unknown"],
};

/** A new referral, or the follow-up of an open one found by the person's code. */
export function ReferralForm({ site, visit }: { site: Site; visit: string | null }) {
  const { t, lang } = useI18n();
  const { pending } = useOutbox();
  const [person, setPerson] = useState<CodeState>({ code: "", found: { kind: "none" }, newConfirmed: false });
  const [category, setCategory] = useState<ReferralCategory | "">("");
  const [destination, setDestination] = useState<"onsite_connected" | "offsite">("offsite");
  const [agency, setAgency] = useState("");
  const [accompanied, setAccompanied] = useState(false);
  const [status, setStatus] = useState<ReferralStatus>("offered");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [answered, setAnswered] = useState<Record<string, ReferralStatus>>({});

  const lookup = person.found.kind === "found" ? person.found.lookup : null;

  async function save() {
    if (!category) {
      setProblem(t("referral.pickCategory"));
      return;
    }
    const unsettled = visit ? null : codeProblem(person);
    if (unsettled) {
      setProblem(t(unsettled));
      return;
    }
    setBusy(true);
    const normal = person.code;
    await recordReferral(
      {
        site: site.slug,
        category,
        destination,
        agency: agency.trim(),
        accompanied,
        status,
        ...(visit ? { visit } : normal ? { code: normal } : {}),
      },
      t("summary.referral", { category: t(`category.${category}`) }),
      visit ? pending.keyOf.get(visit) : undefined,
    );
    navigate("#/floor");
  }

  return (
    <main class="screen" aria-labelledby="referral-title">
      <ScreenHead id="referral-title" title={t("referral.title")} />
      {visit ? (
        <p class="lede">{t("service.forVisit")}</p>
      ) : (
        <CodeLookup
          site={site}
          id="referral"
          label={t("service.code")}
          submitLabel={t("referral.findOpen")}
          confirmNew
          onChange={(next) => {
            setPerson(next);
            setProblem(null);
          }}
        />
      )}
      {lookup?.known && (
        <section class="panel" aria-labelledby="open-referrals-title">
          <h2 id="open-referrals-title">{t("referral.open")}</h2>
          {lookup.open_referrals.length === 0 && <p class="muted">{t("referral.noneOpen")}</p>}
          <ul class="rows">
            {lookup.open_referrals.map((referral) => (
              <li key={referral.id} class="row row-wrap">
                <span class="row-main">
                  {t(`category.${referral.category}`)} · {t(`referralStatus.${referral.status}`)} ·{" "}
                  {formatDate(referral.at, lang)}
                </span>
                {answered[referral.id] ? (
                  <span class="tag" role="status">
                    {t("referral.answered", {
                      status: t(`referralStatus.${answered[referral.id] ?? "unknown"}`),
                    })}
                  </span>
                ) : (
                  <span class="button-row">
                    {(NEXT[referral.status] ?? []).map((next) => (
                      <button
                        key={next}
                        type="button"
                        class="btn btn-secondary btn-small"
                        onClick={() => {
                          // Answered at once, so a second tap cannot queue the answer twice.
                          setAnswered({ ...answered, [referral.id]: next });
                          void referralFollowUp(
                            referral.id,
                            next,
                            t("summary.referralStatus", { status: t(`referralStatus.${next}`) }),
                          );
                        }}
                      >
                        {t(`referralStatus.${next}`)}
                      </button>
                    ))}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2>{t("referral.new")}</h2>
      <Chips
        label={t("referral.category")}
        options={CATEGORIES.map((c) => ({ value: c, label: t(`category.${c}`) }))}
        selected={category ? [category] : []}
        onToggle={(value) => {
          setCategory(value as ReferralCategory);
          setProblem(null);
        }}
        single
      />
      <Chips
        label={t("referral.destination")}
        options={[
          { value: "onsite_connected", label: t("destination.onsite_connected") },
          { value: "offsite", label: t("destination.offsite") },
        ]}
        selected={[destination]}
        onToggle={(value) => setDestination(value as typeof destination)}
        single
      />
      <div class="field">
        <label for="referral-agency">{t("referral.agency")}</label>
        <input
          id="referral-agency"
          value={agency}
          maxLength={120}
          onInput={(e) => setAgency(e.currentTarget.value)}
          autocomplete="off"
        />
      </div>
      <Chips
        label={t("referral.status")}
        options={(["offered", "accepted", "declined"] as const).map((s) => ({
          value: s,
          label: t(`referralStatus.${s}`),
        }))}
        selected={[status]}
        onToggle={(value) => setStatus(value as ReferralStatus)}
        single
      />
      <button
        type="button"
        class="btn btn-secondary"
        aria-pressed={accompanied ? "true" : "false"}
        onClick={() => setAccompanied(!accompanied)}
      >
        {t("referral.accompanied")}
      </button>
      {problem && <Notice kind="error">{problem}</Notice>}
      <Button variant="primary" busy={busy} onClick={() => void save()}>
        {t("referral.save")}
      </Button>
    </main>
  );
}
