import { useRef, useState } from "preact/hooks";
import { ApiError, api, call, type ConsumptionRoute, type Lookup, type Site, type Substance } from "../../api";
import { useI18n } from "../../i18n";
import { useFloor, useOutbox } from "../../state/hooks";
import { navigate } from "../../state/route";
import { checkIn, turnAway } from "../../state/records";
import { Button, Chips, Notice, ScreenHead } from "../../ui";
import { visitsByBooth } from "./occupancy";

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

/** Upper-case, no spaces or hyphens: how the server normalises a visit code. */
export function normaliseCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]+/g, "");
}

type Found = { kind: "none" } | { kind: "found"; lookup: Lookup } | { kind: "offline" };

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
  const [code, setCode] = useState("");
  const [anonymous, setAnonymous] = useState(false);
  const [kind, setKind] = useState<"consumption" | "service_only">("consumption");
  const [found, setFound] = useState<Found>({ kind: "none" });
  const [lookupFailure, setLookupFailure] = useState<ApiError | null>(null);
  const [booth, setBooth] = useState<string | null>(preselected);
  const [substances, setSubstances] = useState<Substance[]>([]);
  const [routes, setRoutes] = useState<ConsumptionRoute[]>([]);
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState<string | null>(null);
  const [assisted, setAssisted] = useState<Assisted>("none");
  const [sharedSupply, setSharedSupply] = useState(false);
  const [override, setOverride] = useState("");
  const codeRef = useRef<HTMLInputElement>(null);

  const booths = floor?.booths ?? site.booths.filter((b) => b.active !== false);
  const occupied = visitsByBooth(
    floor?.booths.flatMap((b) => (b.visit ? [b.visit] : [])) ?? [],
    pending,
  );
  const freeBooths = booths.filter((b) => !occupied.has(b.id) || b.id === preselected);
  const boothLabel = booths.find((b) => b.id === booth)?.label ?? "";

  async function lookUp(event: Event) {
    event.preventDefault();
    const normal = normaliseCode(code);
    if (!normal) {
      codeRef.current?.focus();
      return;
    }
    setBusy(true);
    setLookupFailure(null);
    try {
      const lookup = await call(
        api.POST("/api/v1/participants/lookup", { body: { site: site.slug, code: normal } }),
      );
      setFound({ kind: "found", lookup });
    } catch (caught) {
      const failure = caught as ApiError;
      if (failure.isNetwork || failure.status >= 500) setFound({ kind: "offline" });
      else setLookupFailure(failure);
    }
    setBusy(false);
  }

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
    const normal = anonymous ? "" : normaliseCode(code);
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
    setCode("");
    navigate("#/floor");
  }

  async function refuse() {
    setBusy(true);
    const normal = normaliseCode(code);
    await turnAway(
      { site: site.slug, reason: "restriction", ...(normal ? { code: normal } : {}) },
      t("summary.turnaway", { reason: t("turnawayReason.restriction") }),
    );
    setCode("");
    navigate("#/floor");
  }

  const ready = anonymous || waitlist !== null || found.kind !== "none";
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
        <form class="lookup" onSubmit={lookUp} autocomplete="off" noValidate>
          <div class="field">
            <label for="checkin-code">{t("checkIn.code")}</label>
            <input
              id="checkin-code"
              ref={codeRef}
              value={code}
              onInput={(e) => {
                setCode(e.currentTarget.value);
                setFound({ kind: "none" });
                setLookupFailure(null);
              }}
              autocapitalize="characters"
              autocorrect="off"
              spellcheck={false}
              autocomplete="off"
              enterkeyhint="search"
              aria-invalid={lookupFailure ? "true" : "false"}
              {...(lookupFailure ? { "aria-describedby": "checkin-code-errors" } : {})}
              autoFocus
            />
            {lookupFailure && (
              <ul id="checkin-code-errors" class="field-errors">
                {(lookupFailure.fields["code"] ?? [lookupFailure.detail]).map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            )}
          </div>
          <Button type="submit" variant="secondary" busy={busy}>
            {t("checkIn.lookUp")}
          </Button>
        </form>
      )}
      {!waitlist && (
        <button
          type="button"
          class="btn btn-quiet"
          aria-pressed={anonymous ? "true" : "false"}
          onClick={() => {
            setAnonymous(!anonymous);
            setCode("");
            setFound({ kind: "none" });
          }}
        >
          {t("checkIn.anonymous")}
        </button>
      )}

      {found.kind === "offline" && <Notice kind="info">{t("checkIn.offlineLookup")}</Notice>}
      {lookup && (
        <section class="panel lookup-result" aria-live="polite" data-testid="lookup-result">
          <p class="lookup-who">
            {lookup.known
              ? t("checkIn.returning", { count: lookup.visits_count })
              : t("checkIn.new")}
          </p>
          {lookup.recent_overdose && <Notice kind="error">{t("checkIn.recentOverdose")}</Notice>}
          {lookup.open_referrals.length > 0 && (
            <p>{t("checkIn.openReferrals", { count: lookup.open_referrals.length })}</p>
          )}
        </section>
      )}
      {restriction && (
        <section class="restriction-notice" data-testid="restriction">
          <Notice kind="error">
            {restriction.until
              ? t("checkIn.restricted", {
                  scope: t(`scope.${restriction.scope}`),
                  date: new Date(restriction.until).toLocaleDateString(lang),
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

function toggle<T>(list: T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}
