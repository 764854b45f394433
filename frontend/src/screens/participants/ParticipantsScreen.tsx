import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import {
  ApiError,
  api,
  call,
  type IncidentSummary,
  type Lookup,
  type Referral,
  type Schemas,
  type Site,
  type Substance,
} from "../../api";
import { useI18n, type Lang } from "../../i18n";
import { write } from "../../outbox/write";
import { useOutbox, useReloadOnDelivery } from "../../state/hooks";
import { navigate, useRoute } from "../../state/route";
import { Button, Chips, Notice } from "../../ui";
import { normaliseCode } from "../floor/CodeLookup";
import { entriesTo } from "../../state/records";
import { birthYearError, mergeMoves, type Detail } from "./person";
import "./participants.css";
import { formatDate, formatDateTime } from "../../i18n/dates";

type Visit = Schemas["Visit"];
type Service = Schemas["Service"];
type Gender = Detail["gender"];
const GENDERS: readonly Gender[] = ["woman", "man", "non_binary", "unknown"];
const LIST_SIZE = 50;

/**
 * Supervisors look a person up by code, read their records at the site, correct birth year and
 * gender, and merge a mistyped code into them. Codes live in this screen's memory only: the
 * URL holds ids (#/participants/<id>, #/participants/<id>/merge/<other id>), never a code.
 */
export function ParticipantsScreen({ site }: { site: Site }) {
  const route = useRoute();
  const [id, sub, other] = route.params;
  if (id && sub === "merge" && other) {
    return <MergeConfirm key={`${id}-${other}`} site={site} into={id} source={other} />;
  }
  if (id) return <Person key={id} site={site} id={id} merged={route.query.get("merged")} />;
  return <Start site={site} />;
}

const dateOf = (iso: string, lang: Lang) => formatDate(iso, lang);
const timeOf = (iso: string, lang: Lang) => formatDateTime(iso, lang);

function Start({ site }: { site: Site }) {
  const { t } = useI18n();
  return (
    <main class="screen participants" aria-labelledby="participants-title">
      <h1 id="participants-title">{t("participants.title")}</h1>
      <p class="lede">{t("participants.intro")}</p>
      <CodeForm
        site={site}
        idPrefix="participant-code"
        label={t("participants.code")}
        submitLabel={t("participants.lookUp")}
        onFound={(lookup, clear) => {
          if (lookup.known && lookup.id) {
            clear();
            navigate(`#/participants/${lookup.id}`);
            return null;
          }
          return t("participants.unknown");
        }}
      />
    </main>
  );
}

interface CodeFormProps {
  site: Site;
  idPrefix: string;
  label: string;
  submitLabel: string;
  /** What to do with the answer; a string is shown under the form. */
  onFound: (lookup: Lookup, clear: () => void) => string | null;
}

/** A code typed, looked up with POST (never in a URL), forgotten once used. */
function CodeForm({ site, idPrefix, label, submitLabel, onFound }: CodeFormProps) {
  const { t } = useI18n();
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [answer, setAnswer] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const errorsId = `${idPrefix}-errors`;

  async function lookUp(event: Event) {
    event.preventDefault();
    const normal = normaliseCode(code);
    if (!normal) {
      input.current?.focus();
      return;
    }
    setBusy(true);
    setFailure(null);
    setAnswer(null);
    try {
      const lookup = await call(
        api.POST("/api/v1/participants/lookup", { body: { site: site.slug, code: normal } }),
      );
      setAnswer(onFound(lookup, () => setCode("")));
    } catch (caught) {
      setFailure(caught as ApiError);
    } finally {
      setBusy(false);
    }
  }

  const fieldErrors = failure && !failure.isNetwork ? (failure.fields["code"] ?? [failure.detail]) : [];
  return (
    <>
      <form class="lookup" onSubmit={(e) => void lookUp(e)} autocomplete="off" noValidate>
        <div class={fieldErrors.length ? "field field-invalid" : "field"}>
          <label for={idPrefix}>{label}</label>
          <input
            id={idPrefix}
            ref={input}
            value={code}
            onInput={(e) => {
              setCode(e.currentTarget.value);
              setFailure(null);
              setAnswer(null);
            }}
            autocapitalize="characters"
            autocorrect="off"
            spellcheck={false}
            autocomplete="off"
            enterkeyhint="search"
            aria-invalid={fieldErrors.length ? "true" : "false"}
            {...(fieldErrors.length ? { "aria-describedby": errorsId } : {})}
          />
          {fieldErrors.length > 0 && (
            <ul id={errorsId} class="field-errors">
              {fieldErrors.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
        </div>
        <Button type="submit" variant="secondary" busy={busy}>
          {submitLabel}
        </Button>
      </form>
      {failure?.isNetwork && <Notice kind="info">{t("participants.offline")}</Notice>}
      {answer && <Notice kind="info">{answer}</Notice>}
    </>
  );
}

interface Records {
  visits: Visit[];
  incidents: IncidentSummary[];
  services: Service[];
  referrals: Referral[];
}

function useDetail(site: string, id: string) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const load = useCallback(async () => {
    try {
      setDetail(
        await call(
          api.GET("/api/v1/participants/{participant_id}", {
            params: { path: { participant_id: id }, query: { site } },
          }),
        ),
      );
      setFailure(null);
    } catch (caught) {
      setFailure(caught as ApiError);
    }
  }, [site, id]);
  useEffect(() => {
    void load();
  }, [load]);
  return { detail, failure, reload: load };
}

async function loadRecords(site: string, participant: string): Promise<Records> {
  const query = { site, participant };
  const paged = { ...query, page_size: LIST_SIZE };
  const [visits, incidents, services, referrals] = await Promise.all([
    call(api.GET("/api/v1/visits/", { params: { query } })),
    call(api.GET("/api/v1/incidents/", { params: { query: paged } })),
    call(api.GET("/api/v1/services/", { params: { query: paged } })),
    call(api.GET("/api/v1/referrals/", { params: { query: { ...paged, open: true } } })),
  ]);
  return {
    visits: visits.results,
    incidents: incidents.results,
    services: services.results,
    referrals: referrals.results,
  };
}

function Person({ site, id, merged }: { site: Site; id: string; merged: string | null }) {
  const { t, lang } = useI18n();
  const { state, entries } = useOutbox();
  const { detail, failure, reload } = useDetail(site.slug, id);
  const [records, setRecords] = useState<Records | null>(null);
  const [mergeDone, setMergeDone] = useState(false);

  // The lists follow each load of the detail, so that they are never older than its counts.
  useEffect(() => {
    if (!detail) return undefined;
    let live = true;
    void loadRecords(site.slug, id).then(
      (next) => {
        if (live) setRecords(next);
      },
      () => undefined, // The detail's failure says what is wrong; the lists stay as they were.
    );
    return () => {
      live = false;
    };
  }, [site.slug, id, detail]);
  useReloadOnDelivery(state.pending, () => void reload());

  const mergePath = merged ? `/participants/${merged}/merge` : "";
  const mergeEntry = merged ? entriesTo(entries, "POST", mergePath)[0] : undefined;
  const queuedFix = entriesTo(entries, "PATCH", `/participants/${id}`);
  const parkedFix = queuedFix.find((e) => e.status === "parked");

  // A merge named in the URL is done once the outbox no longer holds it and the other code's
  // person is gone (404); a refused merge stays in the outbox, parked, with the server's reason.
  useEffect(() => {
    if (!merged || mergeEntry) return;
    let live = true;
    void call(
      api.GET("/api/v1/participants/{participant_id}", {
        params: { path: { participant_id: merged }, query: { site: site.slug } },
      }),
    ).then(
      () => undefined,
      (caught: unknown) => {
        if (live && caught instanceof ApiError && caught.status === 404 && !mergeDone) {
          setMergeDone(true);
          void reload();
        }
      },
    );
    return () => {
      live = false;
    };
  }, [merged, mergeEntry, site.slug, mergeDone, reload]);

  if (failure && !detail) {
    return (
      <main class="screen participants" aria-labelledby="participant-title">
        <PersonHead />
        <Notice kind="error">
          {failure.status === 404 ? t("participant.notFound") : failure.isNetwork ? t("error.network") : failure.detail}
        </Notice>
      </main>
    );
  }
  if (!detail) {
    return (
      <main class="screen participants" aria-busy="true" aria-labelledby="participant-title">
        <PersonHead />
        <p class="lede">{t("app.loading")}</p>
      </main>
    );
  }

  return (
    <main class="screen participants" aria-labelledby="participant-title" data-testid="participant">
      <PersonHead subtitle={t("participant.firstSeen", { date: dateOf(detail.first_seen_at, lang) })} />
      {mergeEntry?.status === "parked" && (
        <Notice kind="error">{t("merge.refused", { detail: mergeEntry.error?.detail ?? "" })}</Notice>
      )}
      {mergeEntry?.status === "pending" && <Notice kind="info">{t("merge.queued")}</Notice>}
      {mergeDone && !mergeEntry && <Notice kind="info">{t("merge.done")}</Notice>}
      {parkedFix && <Notice kind="error">{t("alerts.refused", { detail: parkedFix.error?.detail ?? "" })}</Notice>}

      <div class="person-layout">
        <section class="panel" aria-labelledby="person-details-title">
          <h2 id="person-details-title">{t("participant.details")}</h2>
          <dl class="person-facts">
            <dt>{t("participant.birthYear")}</dt>
            <dd data-testid="birth-year">{detail.birth_year ?? t("participant.unknown")}</dd>
            <dt>{t("participant.gender")}</dt>
            <dd>{t(`gender.${detail.gender}`)}</dd>
            <dt>{t("participant.lastVisit")}</dt>
            <dd>{detail.last_visit_at ? timeOf(detail.last_visit_at, lang) : t("participant.none")}</dd>
            <dt>{t("participant.lastOverdose")}</dt>
            <dd>{detail.last_overdose_at ? timeOf(detail.last_overdose_at, lang) : t("participant.none")}</dd>
          </dl>
          {detail.seen_at_other_sites > 0 && (
            <p class="muted">{t("participant.otherSites", { count: detail.seen_at_other_sites })}</p>
          )}
          <Correction key={detail.version} detail={detail} queued={queuedFix.length > 0} />
        </section>

        <div>
          <h2 class="visually-hidden">{t("participant.records")}</h2>
          <RecordsView detail={detail} records={records} />
          <section class="panel person-merge" aria-labelledby="merge-title">
            <h2 id="merge-title">{t("participant.merge")}</h2>
            <p>{t("participant.mergeIntro")}</p>
            <CodeForm
              site={site}
              idPrefix="merge-code"
              label={t("participant.mergeCode")}
              submitLabel={t("participant.mergeFind")}
              onFound={(lookup, clear) => {
                if (!lookup.known || !lookup.id) return t("participant.mergeUnknown");
                if (lookup.id === id) return t("participant.mergeSame");
                clear();
                navigate(`#/participants/${id}/merge/${lookup.id}`);
                return null;
              }}
            />
          </section>
        </div>
      </div>
    </main>
  );
}

function PersonHead({ subtitle }: { subtitle?: string }) {
  const { t } = useI18n();
  return (
    <div class="screen-head">
      <div>
        <h1 id="participant-title">{t("participant.title")}</h1>
        {subtitle && <p class="muted person-subtitle">{subtitle}</p>}
      </div>
      <a class="btn btn-secondary" href="#/participants">
        {t("participants.another")}
      </a>
    </div>
  );
}

function Correction({ detail, queued }: { detail: Detail; queued: boolean }) {
  const { t } = useI18n();
  const [year, setYear] = useState(detail.birth_year === null ? "" : String(detail.birth_year));
  const [gender, setGender] = useState<Gender>(detail.gender);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const thisYear = new Date().getFullYear();

  async function save(event: Event) {
    event.preventDefault();
    const problem = birthYearError(year, thisYear);
    if (problem) {
      setError(t("participant.badYear", { year: thisYear }));
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await write({
        method: "PATCH",
        path: "/api/v1/participants/{participant_id}",
        params: { participant_id: detail.id },
        body: {
          birth_year: year.trim() ? Number(year.trim()) : null,
          gender,
          version: detail.version,
        },
        summary: t("summary.participantFix"),
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="person-correct" onSubmit={(e) => void save(e)} noValidate>
      <h3>{t("participant.correct")}</h3>
      <div class={error ? "field field-invalid" : "field"}>
        <label for="birth-year">{t("participant.birthYear")}</label>
        <p id="birth-year-hint" class="muted field-hint">
          {t("participant.birthYearHint")}
        </p>
        <input
          id="birth-year"
          type="text"
          inputMode="numeric"
          maxLength={4}
          value={year}
          onInput={(e) => setYear(e.currentTarget.value)}
          autocomplete="off"
          aria-invalid={error ? "true" : "false"}
          aria-describedby={error ? "birth-year-hint birth-year-errors" : "birth-year-hint"}
        />
        {error && (
          <ul id="birth-year-errors" class="field-errors">
            <li>{error}</li>
          </ul>
        )}
      </div>
      <Chips
        label={t("participant.gender")}
        options={GENDERS.map((value) => ({ value, label: t(`gender.${value}`) }))}
        selected={[gender]}
        onToggle={(value) => setGender(value as Gender)}
        single
      />
      {queued && <p class="tag tag-amber">{t("participant.queued")}</p>}
      <Button type="submit" variant="primary" busy={busy}>
        {t("participant.save")}
      </Button>
    </form>
  );
}

function RecordsView({ detail, records }: { detail: Detail; records: Records | null }) {
  const { t, lang } = useI18n();
  const none = <p class="muted">{t("participant.nothing")}</p>;
  return (
    <div class="person-records" aria-busy={records ? "false" : "true"}>
      <section class="panel" aria-labelledby="person-visits">
        <h3 id="person-visits">{t("participant.visits", { count: detail.visits_count })}</h3>
        {records && records.visits.length === 0 && none}
        <ul class="record-list" data-testid="person-visits">
          {records?.visits.map((visit) => (
            <li key={visit.id} class="record">
              <span class="record-when">{timeOf(visit.checked_in_at, lang)}</span>
              <span class="record-what">
                {t(`visitKind.${visit.kind}`)}
                {visit.booth_label ? ` · ${t("floor.booth", { label: visit.booth_label })}` : ""}
                {visit.substances.length > 0
                  ? ` · ${visit.substances.map((s) => t(`substance.${s as Substance}`)).join(", ")}`
                  : ""}
              </span>
              {!visit.checked_out_at && !visit.voided && (
                <span class="tag tag-amber">{t("participant.visitOpen")}</span>
              )}
              {visit.voided && <span class="tag">{t("participant.voided")}</span>}
            </li>
          ))}
        </ul>
      </section>
      <section class="panel" aria-labelledby="person-incidents">
        <h3 id="person-incidents">{t("participant.incidents", { count: detail.incidents_count })}</h3>
        {records && records.incidents.length === 0 && none}
        <ul class="record-list">
          {records?.incidents.map((incident) => (
            <li key={incident.id} class="record">
              <span class="record-when">{timeOf(incident.started_at, lang)}</span>
              <span class="record-what">
                {t(`incidentKind.${incident.kind}`)}
                {incident.outcome ? ` · ${t(`outcome.${incident.outcome}`)}` : ""}
              </span>
              <span class="tag">{t(`incidentStatus.${incident.status}`)}</span>
            </li>
          ))}
        </ul>
      </section>
      <section class="panel" aria-labelledby="person-services">
        <h3 id="person-services">{t("participant.services", { count: detail.services_count })}</h3>
        {records && records.services.length === 0 && none}
        <ul class="record-list">
          {records?.services.map((service) => (
            <li key={service.id} class="record">
              <span class="record-when">{timeOf(service.at, lang)}</span>
              <span class="record-what">{t(`serviceKind.${service.kind}`)}</span>
            </li>
          ))}
        </ul>
      </section>
      <section class="panel" aria-labelledby="person-referrals">
        <h3 id="person-referrals">
          {t("participant.openReferrals", { count: detail.open_referrals_count })}
        </h3>
        {records && records.referrals.length === 0 && none}
        <ul class="record-list">
          {records?.referrals.map((referral) => (
            <li key={referral.id} class="record">
              <span class="record-when">{timeOf(referral.at, lang)}</span>
              <span class="record-what">
                {t(`category.${referral.category}`)} · {t(`destination.${referral.destination}`)}
              </span>
              <span class="tag">{t(`referralStatus.${referral.status}`)}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/** What will move, counted from the other code's records at this site, before anything moves. */
function MergeConfirm({ site, into, source }: { site: Site; into: string; source: string }) {
  const { t, lang } = useI18n();
  const target = useDetail(site.slug, into);
  const other = useDetail(site.slug, source);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function confirm(event: Event) {
    event.preventDefault();
    if (!reason.trim()) {
      setError(t("merge.reasonNeeded"));
      return;
    }
    setBusy(true);
    try {
      await write({
        method: "POST",
        path: "/api/v1/participants/{participant_id}/merge",
        params: { participant_id: source },
        body: { into, reason: reason.trim() },
        summary: t("summary.merge"),
      });
      navigate(`#/participants/${into}?merged=${source}`);
    } finally {
      setBusy(false);
    }
  }

  const failure = other.failure ?? target.failure;
  const moves = other.detail ? mergeMoves(other.detail) : null;
  return (
    <main class="screen participants merge-screen" aria-labelledby="merge-confirm-title">
      <div class="screen-head">
        <h1 id="merge-confirm-title">{t("merge.title")}</h1>
        <a class="btn btn-secondary" href={`#/participants/${into}`}>
          {t("common.cancel")}
        </a>
      </div>
      {failure && (
        <Notice kind="error">
          {failure.status === 404 ? t("participant.notFound") : failure.isNetwork ? t("error.network") : failure.detail}
        </Notice>
      )}
      {moves && other.detail && target.detail && (
        <form class="panel merge-confirm" onSubmit={(e) => void confirm(e)} noValidate>
          <p class="lede">{t("merge.whatMoves")}</p>
          <ul class="merge-moves" data-testid="merge-moves">
            <li>{t("merge.visits", { count: moves.visits })}</li>
            <li>{t("merge.incidents", { count: moves.incidents })}</li>
            <li>{t("merge.services", { count: moves.services })}</li>
            <li>{t("merge.referrals", { count: moves.referrals, open: moves.openReferrals })}</li>
          </ul>
          {moves.otherSites > 0 && (
            <Notice kind="info">{t("merge.otherSites", { count: moves.otherSites })}</Notice>
          )}
          <p>
            {t("merge.into", {
              date: dateOf(target.detail.first_seen_at, lang),
              count: target.detail.visits_count,
            })}
          </p>
          <p class="muted">{t("merge.details")}</p>
          <div class={error ? "field field-invalid" : "field"}>
            <label for="merge-reason">{t("merge.reason")}</label>
            <textarea
              id="merge-reason"
              rows={3}
              maxLength={1000}
              value={reason}
              onInput={(e) => {
                setReason(e.currentTarget.value);
                setError(null);
              }}
              aria-invalid={error ? "true" : "false"}
              {...(error ? { "aria-describedby": "merge-reason-errors" } : {})}
            />
            {error && (
              <ul id="merge-reason-errors" class="field-errors">
                <li>{error}</li>
              </ul>
            )}
          </div>
          <div class="button-row">
            <Button type="submit" variant="danger" busy={busy}>
              {t("merge.confirm")}
            </Button>
          </div>
        </form>
      )}
    </main>
  );
}
