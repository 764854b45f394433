import { useState } from "preact/hooks";
import type { ConsumptionRoute, Site, Substance } from "../../api";
import { useI18n } from "../../i18n";
import { useFloor, useOutbox } from "../../state/hooks";
import { navigate } from "../../state/route";
import { checkIn, turnAway } from "../../state/records";
import { Button, Chips, Notice, ScreenHead } from "../../ui";
import { CodeLookup, insideOf, type CodeState } from "./CodeLookup";
import { visitsByBooth } from "./occupancy";
import { formatDay } from "../../i18n/dates";

export const SUBSTANCES: Substance[] = [
  "fentanyl",
  "heroin",
  "unspecified_opioid",
  "hydromorphone",
  "oxycodone",
  "morphine",
  "methadone",
  "cocaine",
  "crack",
  "methamphetamine",
  "amphetamine",
  "speedball",
  "benzodiazepine",
  "other",
  "unknown",
];
const ROUTES: ConsumptionRoute[] = ["injection", "inhalation", "intranasal", "oral"];

interface Props {
  site: Site;
  booth: string | null;
  /** Checking in a person from the waiting list: no code to type again. */
  waitlist?: string | null;
}

type Assisted = "none" | "peer" | "staff";
const ASSISTED: Assisted[] = ["none", "peer", "staff"];

/**
 * Code → lookup → booth → substances and routes → confirm: four taps after the code. The code
 * lives in this screen's memory and in the queued check-in only; it is never shown again.
 */
export function CheckIn({ site, booth: preselected, waitlist = null }: Props) {
  const { t, lang } = useI18n();
  const outbox = useOutbox();
  const { floor, pending } = useFloor(site.slug, outbox.state.pending, outbox.pending);
  const [person, setPerson] = useState<CodeState>(NOBODY);
  const [anonymous, setAnonymous] = useState(false);
  const [kind, setKind] = useState<"consumption" | "service_only">("consumption");
  const [booth, setBooth] = useState<string | null>(preselected);
  const [substances, setSubstances] = useState<Substance[]>([]);
  const [routes, setRoutes] = useState<ConsumptionRoute[]>([]);
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState<string | null>(null);
  const [assisted, setAssisted] = useState<Assisted>("none");
  const [sharedSupply, setSharedSupply] = useState(false);
  const [override, setOverride] = useState("");

  const booths = floor?.booths ?? site.booths.filter((b) => b.active !== false);
  const occupied = visitsByBooth(
    floor?.booths.flatMap((b) => (b.visit ? [b.visit] : [])) ?? [],
    pending,
  );
  const freeBooths = booths.filter((b) => !occupied.has(b.id) || b.id === preselected);
  const boothLabel = booths.find((b) => b.id === booth)?.label ?? "";

  async function confirm() {
    if (kind === "consumption" && !booth) {
      setMissing(t("checkIn.pickBooth"));
      return;
    }
    if (restrictedHere && !override.trim()) {
      setMissing(t("checkIn.overrideNeeded"));
      return;
    }
    setBusy(true);
    const normal = anonymous ? "" : person.code;
    await checkIn(
      {
        site: site.slug,
        kind,
        ...(normal ? { code: normal } : {}),
        ...(kind === "consumption" && booth ? { booth } : {}),
        substances: kind === "consumption" ? substances : [],
        routes: kind === "consumption" ? routes : [],
        ...(kind === "consumption" ? { assisted, shared_supply: sharedSupply } : {}),
        ...(restrictedHere ? { override_reason: override.trim() } : {}),
        ...(waitlist ? { waitlist } : {}),
      },
      kind === "consumption"
        ? t("summary.checkIn", { booth: boothLabel })
        : t("summary.checkInService"),
    );
    navigate("#/floor");
  }

  async function refuse() {
    setBusy(true);
    const normal = person.code;
    await turnAway(
      { site: site.slug, reason: "restriction", ...(normal ? { code: normal } : {}) },
      t("summary.turnaway", { reason: t("turnawayReason.restriction") }),
    );
    navigate("#/floor");
  }

  const found = person.found;
  // Already inside this site: no second check-in (it would be refused and leave a phantom tile).
  const inside = insideOf(person);
  const ready = anonymous || waitlist !== null || (found.kind !== "none" && !inside);
  const lookup = found.kind === "found" ? found.lookup : null;
  const restriction = lookup?.restriction ?? null;
  // A consumption-only restriction still lets the person in for services.
  const restrictedHere =
    restriction !== null && (restriction.scope === "all_services" || kind === "consumption");

  return (
    <main class="screen" aria-labelledby="checkin-title">
      <ScreenHead id="checkin-title" title={t("checkIn.title")} />
      <Chips
        label={t("checkIn.kind")}
        options={[
          { value: "consumption", label: t("visitKind.consumption") },
          { value: "service_only", label: t("visitKind.service_only") },
        ]}
        selected={[kind]}
        onToggle={(value) => setKind(value as typeof kind)}
        single
      />
      {waitlist && <Notice kind="info">{t("checkIn.fromWaitlist")}</Notice>}
      {!anonymous && !waitlist && (
        <CodeLookup
          site={site}
          id="checkin"
          label={t("checkIn.code")}
          onChange={setPerson}
          autoFocus
          insideBlocks
        />
      )}
      {!waitlist && (
        <button
          type="button"
          class="btn btn-quiet"
          aria-pressed={anonymous ? "true" : "false"}
          onClick={() => {
            setAnonymous(!anonymous);
            setPerson(NOBODY);
          }}
        >
          {t("checkIn.anonymous")}
        </button>
      )}

      {restriction && (
        <section class="restriction-notice" data-testid="restriction">
          <Notice kind="error">
            {restriction.until
              ? t("checkIn.restricted", {
                  scope: t(`scope.${restriction.scope}`),
                  date: formatDay(restriction.until, lang),
                })
              : t("checkIn.restrictedNoDate", { scope: t(`scope.${restriction.scope}`) })}
          </Notice>
          {restrictedHere && (
            <>
              <div class="field">
                <label for="checkin-override">{t("checkIn.overrideReason")}</label>
                <input
                  id="checkin-override"
                  value={override}
                  maxLength={1000}
                  onInput={(e) => {
                    setOverride(e.currentTarget.value);
                    setMissing(null);
                  }}
                />
              </div>
              <Button variant="danger" busy={busy} onClick={() => void refuse()}>
                {t("checkIn.turnAway")}
              </Button>
            </>
          )}
        </section>
      )}

      {ready && kind === "consumption" && (
        <>
          <fieldset class="chips-group">
            <legend>{t("checkIn.booth")}</legend>
            <div class="booth-picks">
              {freeBooths.map((b) => (
                <button
                  key={b.id}
                  type="button"
                  class="chip chip-booth"
                  aria-pressed={booth === b.id ? "true" : "false"}
                  onClick={() => {
                    setBooth(b.id);
                    setMissing(null);
                  }}
                >
                  {t("floor.booth", { label: b.label })}
                </button>
              ))}
            </div>
          </fieldset>
          <Chips
            label={t("checkIn.substances")}
            options={SUBSTANCES.map((s) => ({ value: s, label: t(`substance.${s}`) }))}
            selected={substances}
            onToggle={(value) => setSubstances(toggle(substances, value as Substance))}
          />
          <Chips
            label={t("checkIn.routes")}
            options={ROUTES.map((r) => ({ value: r, label: t(`route.${r}`) }))}
            selected={routes}
            onToggle={(value) => setRoutes(toggle(routes, value as ConsumptionRoute))}
          />
          <Chips
            label={t("checkIn.assisted")}
            options={ASSISTED.map((a) => ({ value: a, label: t(`assisted.${a}`) }))}
            selected={[assisted]}
            onToggle={(value) => setAssisted(value as Assisted)}
            single
          />
          <button
            type="button"
            class="chip"
            aria-pressed={sharedSupply ? "true" : "false"}
            onClick={() => setSharedSupply(!sharedSupply)}
          >
            {t("checkIn.sharedSupply")}
          </button>
        </>
      )}
      {missing && <Notice kind="error">{missing}</Notice>}
      {ready && (
        <Button variant="primary" busy={busy} onClick={() => void confirm()}>
          {kind === "consumption" && boothLabel
            ? t("checkIn.confirmBooth", { booth: boothLabel })
            : t("checkIn.confirm")}
        </Button>
      )}
    </main>
  );
}

const NOBODY: CodeState = { code: "", found: { kind: "none" }, newConfirmed: false };

function toggle<T>(list: T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}
