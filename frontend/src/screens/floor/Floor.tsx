import { useEffect, useRef, useState } from "preact/hooks";
import type { DidNotConsumeReason, FloorIncident, Site, Substance, User } from "../../api";
import { useI18n } from "../../i18n";
import { useFloor, useNow, useOutbox } from "../../state/hooks";
import { navigate } from "../../state/route";
import { checkOut, openIncident, undoCheckOut, UNDO_MS, type Pending } from "../../state/records";
import { Notice, UndoStrip } from "../../ui";
import { duration, minutesSince, timeOfDay } from "./time";
import { StockLinks, StockNotice } from "../stock/StockNotice";
import { BoothTile, type TileVisit } from "./BoothTile";
import { FloorAlerts } from "./FloorAlerts";
import { Waitlist } from "./Waitlist";
import { visitsByBooth } from "./occupancy";

interface Props {
  site: Site;
  user: User;
  /** From "Go to booth 8" at the door: the booth's label, or "service" for service visits. */
  focus?: string | null;
}

interface ListedIncident {
  id: string;
  kind: FloorIncident["kind"];
  boothLabel: string;
  startedAt: string;
  critical: boolean;
  queued: boolean;
}

function openIncidents(
  server: FloorIncident[],
  pending: Pending,
  boothLabel: (visit: string | null) => string,
): ListedIncident[] {
  const listed: ListedIncident[] = server.map((incident) => ({
    id: incident.id,
    kind: incident.kind,
    boothLabel: incident.booth_label ?? "",
    startedAt: incident.started_at,
    critical: incident.critical,
    queued: false,
  }));
  const known = new Set(listed.map((incident) => incident.id));
  for (const incident of pending.incidents) {
    if (known.has(incident.id) || pending.submitted.has(incident.id)) continue;
    listed.push({
      id: incident.id,
      kind: incident.kind,
      boothLabel: boothLabel(incident.visit),
      startedAt: incident.started_at,
      critical: false,
      queued: true,
    });
  }
  return listed;
}

interface LastCheckOut {
  key: string;
  visit: string;
  text: string;
  /** Epoch ms: the Undo goes away then (the check-out is sent). */
  until: number;
  tooLate: boolean;
}

export function Floor({ site, user, focus = null }: Props) {
  const { t, lang } = useI18n();
  const outbox = useOutbox();
  const { state } = outbox;
  const { floor, asOf, failure, pending } = useFloor(site.slug, state.pending, outbox.pending);
  const now = useNow(15_000);

  const booths = floor?.booths ?? site.booths.filter((b) => b.active !== false);
  const occupied = visitsByBooth(
    floor?.booths.flatMap((b) => (b.visit ? [b.visit] : [])) ?? [],
    pending,
  );
  const labelOfVisit = (visit: string | null): string => {
    if (!visit) return "";
    for (const booth of booths) if (occupied.get(booth.id)?.id === visit) return booth.label;
    return "";
  };
  const incidents = openIncidents(floor?.incidents ?? [], pending, labelOfVisit);
  const alerts = floor?.alerts ?? [];
  const serviceVisits = floor?.service_visits ?? [];

  // Brought here to a person already inside: their tile (or the service visits) in view.
  useEffect(() => {
    if (!focus) return undefined;
    // After the screen's own scroll to the top (the app's effect runs after this one).
    const timer = setTimeout(() => {
      const target = document.querySelector<HTMLElement>(
        focus === "service" ? "#service-visits-title" : `[data-booth="${CSS.escape(focus)}"]`,
      );
      target?.scrollIntoView({ block: "center" });
      target?.focus({ preventScroll: true });
    }, 0);
    return () => clearTimeout(timer);
  }, [focus]);

  // Gloved hands double-tap: an overdose is opened once, a visit checked out once.
  const busy = useRef(new Set<string>());
  function once(key: string, action: () => Promise<void>): void {
    if (busy.current.has(key)) return;
    busy.current.add(key);
    void action().catch(() => busy.current.delete(key));
  }

  // The last check-out, which can be taken back while it waits in the outbox.
  const [lastOut, setLastOut] = useState<LastCheckOut | null>(null);
  useEffect(() => {
    if (!lastOut) return undefined;
    const timer = setTimeout(() => setLastOut(null), Math.max(0, lastOut.until - Date.now()));
    return () => clearTimeout(timer);
  }, [lastOut]);

  function closeVisit(visit: string, reason: DidNotConsumeReason | "", summary: string, done: string): void {
    if (pending.checkOuts.has(visit)) return;
    once(`check-out:${visit}`, async () => {
      const key = await checkOut(visit, reason, summary, pending.keyOf.get(visit));
      setLastOut({ key, visit, text: done, until: Date.now() + UNDO_MS, tooLate: false });
    });
  }

  async function undoLastOut(last: LastCheckOut) {
    if (await undoCheckOut(last.key)) {
      busy.current.delete(`check-out:${last.visit}`);
      setLastOut(null);
    } else {
      setLastOut({ ...last, tooLate: true });
    }
  }

  async function startOverdose(visit: TileVisit | null) {
    const after = visit ? pending.keyOf.get(visit.id) : undefined;
    const { id } = await openIncident(
      {
        site: site.slug,
        kind: "opioid_overdose",
        location: visit ? "booth" : "outside",
        ...(visit ? { visit: visit.id, suspected_substances: visit.substances as Substance[] } : {}),
      },
      t("summary.overdose"),
      after,
    );
    navigate(`#/incident/${id}`);
  }

  return (
    <main class="screen screen-wide floor" aria-labelledby="floor-title">
      <FloorAlerts alerts={alerts} />
      <div class="floor-title">
        <h1 id="floor-title">{site.name}</h1>
        <StockLinks />
        {floor?.today && (
          <dl class="today" aria-label={t("floor.today")} data-testid="floor-today">
            {(["visits", "unique_participants", "overdoses", "naloxone_doses"] as const).map(
              (name) => (
                <div key={name}>
                  <dt>{t(`today.${name}`)}</dt>
                  <dd>{floor.today[name]}</dd>
                </div>
              ),
            )}
          </dl>
        )}
      </div>
      {failure && floor === null && (
        <Notice kind="info">{failure.isNetwork ? t("floor.offline") : failure.detail}</Notice>
      )}
      {failure && asOf !== null && (
        <p class="floor-as-of" role="status" data-testid="floor-as-of">
          {t("floor.asOf", { time: timeOfDay(asOf, lang) })}
        </p>
      )}
      {failure && floor !== null && asOf === null && failure.isNetwork && (
        <Notice kind="info">{t("floor.stale")}</Notice>
      )}
      <StockNotice site={site} />
      <nav class="floor-actions" aria-label={t("floor.actions")}>
        <a class="btn btn-primary btn-inline" href="#/check-in">
          {t("floor.checkIn")}
        </a>
        <button
          type="button"
          class="btn btn-danger"
          onClick={() => once("overdose:outside", () => startOverdose(null))}
        >
          {t("floor.overdoseOutside")}
        </button>
        <a class="btn btn-secondary" href="#/service">
          {t("floor.service")}
        </a>
        <a class="btn btn-secondary" href="#/referral">
          {t("floor.referral")}
        </a>
        <a class="btn btn-secondary" href="#/mine">
          {t("floor.mine")}
        </a>
        <a class="btn btn-secondary" href="#/turnaway">
          {t("floor.turnAway")}
        </a>
      </nav>
      <section aria-labelledby="booths-title" data-testid="floor-board">
        <h2 id="booths-title" class="visually-hidden">
          {t("floor.booths")}
        </h2>
        <ul class="booths">
          {booths.map((booth) => (
            <BoothTile
              key={booth.id}
              label={booth.label}
              focused={focus === booth.label}
              visit={occupied.get(booth.id) ?? null}
              now={now}
              amber={site.observe_amber_minutes ?? 10}
              red={site.observe_red_minutes ?? 20}
              onCheckIn={() => navigate(`#/check-in?booth=${booth.id}`)}
              onCheckOut={(visit, reason) =>
                closeVisit(
                  visit.id,
                  reason,
                  t("summary.checkOut", { booth: booth.label }),
                  t("floor.checkedOut", { label: booth.label }),
                )
              }
              onOverdose={(visit) => once(`overdose:${visit.id}`, () => startOverdose(visit))}
              onService={(visit) => navigate(`#/service?visit=${visit.id}`)}
              onReferral={(visit) => navigate(`#/referral?visit=${visit.id}`)}
            />
          ))}
        </ul>
      </section>
      <section aria-labelledby="incidents-title" class="panel">
        <h2 id="incidents-title">{t("floor.incidents")}</h2>
        {incidents.length === 0 ? (
          <p class="muted">{t("floor.noIncidents")}</p>
        ) : (
          <ul class="rows">
            {incidents.map((incident) => (
              <li key={incident.id}>
                <a class="row-link" href={`#/incident/${incident.id}`}>
                  <span class="row-main">
                    {t(`incidentKind.${incident.kind}`)}
                    {incident.boothLabel && ` · ${t("floor.booth", { label: incident.boothLabel })}`}
                  </span>
                  <span class="row-side">
                    {incident.critical && <span class="tag tag-danger">{t("incident.critical")}</span>}
                    {incident.queued && <span class="tag">{t("outbox.queuedTag")}</span>}
                    {t("floor.minutesAgo", { duration: duration(minutesSince(incident.startedAt, now)) })}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <Waitlist
        site={site.slug}
        entries={floor?.waitlist ?? []}
        queued={outbox.entries}
        freeBooths={booths.filter((b) => !occupied.has(b.id)).map((b) => ({ id: b.id, label: b.label }))}
        now={now}
      />
      {serviceVisits.length > 0 && (
        <section aria-labelledby="service-visits-title" class="panel">
          <h2 id="service-visits-title" tabIndex={-1}>{t("floor.serviceVisits")}</h2>
          <ul class="rows">
            {serviceVisits.map((visit) => (
              <li key={visit.id} class="row">
                <span class="row-main">
                  {t("floor.minutesIn", { duration: duration(minutesSince(visit.checked_in_at, now)) })}
                </span>
                <button
                  type="button"
                  class="btn btn-secondary"
                  onClick={() =>
                    closeVisit(
                      visit.id,
                      "",
                      t("summary.checkOutService"),
                      t("floor.checkedOutService"),
                    )
                  }
                >
                  {t("floor.checkOut")}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {lastOut && (
        <UndoStrip
          floating
          text={lastOut.tooLate ? t("floor.undoTooLate") : lastOut.text}
          onUndo={lastOut.tooLate ? undefined : () => void undoLastOut(lastOut)}
        />
      )}
      <p class="muted signed-in">{t("home.signedInAs", { name: user.display_name || user.username })}</p>
    </main>
  );
}
