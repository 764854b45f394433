import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, api, call, type Schemas, type Site } from "../../api";
import { useI18n } from "../../i18n";
import { write } from "../../outbox/write";
import { useOutbox, useReloadOnDelivery } from "../../state/hooks";
import { Button, Chips, DateInput, Notice, ScreenHead } from "../../ui";
import { normaliseCode } from "../floor/CodeLookup";
import "./safety.css";
import { formatDateTime, formatDay } from "../../i18n/dates";

type Restriction = Schemas["Restriction"];
type Scope = Restriction["scope"];
type Reason = Restriction["reason"];
const SCOPES: Scope[] = ["all_services", "consumption_only"];
const REASONS: Reason[] = ["violence", "threats", "dealing", "property", "other"];

/** The end of a local calendar day (from a date input), as an ISO instant. */
export function endOfDay(value: string): string {
  return new Date(`${value}T23:59:00`).toISOString();
}

/**
 * Supervisors restrict a person (by code) for a scope until an end or a review date, see the
 * restrictions in force (those due for review first, with the overrides given at the door),
 * and end one early with a reason. Writes go through the outbox like every other.
 */
export function RestrictionsScreen({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const { state } = useOutbox();
  const [items, setItems] = useState<Restriction[] | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);

  const load = useCallback(async () => {
    try {
      const page = await call(
        api.GET("/api/v1/restrictions/", {
          params: { query: { site: site.slug, active: true, page_size: 100 } },
        }),
      );
      setItems([...page.results].sort((a, b) => Number(b.review_due) - Number(a.review_due)));
      setFailure(null);
    } catch (caught) {
      setFailure(caught as ApiError);
    }
  }, [site.slug]);
  useEffect(() => void load(), [load]);
  useReloadOnDelivery(state.pending, () => void load());

  const date = (iso: string | null) => (iso ? formatDay(iso, lang) : "—");

  return (
    <main class="screen screen-wide" aria-labelledby="restrictions-title">
      <ScreenHead id="restrictions-title" title={t("restrictions.title")} />
      {failure && <Notice kind="error">{failure.isNetwork ? t("error.network") : failure.detail}</Notice>}
      <div class="safety-layout">
        <section class="panel" aria-labelledby="restriction-new-title">
          <h2 id="restriction-new-title">{t("restrictions.new")}</h2>
          <RestrictionForm site={site} />
        </section>
        <section aria-labelledby="restrictions-active-title">
          <h2 id="restrictions-active-title">{t("restrictions.active")}</h2>
          {items?.length === 0 && <p class="muted">{t("restrictions.none")}</p>}
          <ul class="safety-list" data-testid="restrictions">
            {(items ?? []).map((r) => (
              <li key={r.id} class="safety-item">
                <p>
                  {r.review_due && <span class="tag tag-amber">{t("restrictions.reviewDue")}</span>}{" "}
                  <strong>
                    {t("restrictions.line", {
                      scope: t(`scope.${r.scope}`),
                      reason: t(`restrictionReason.${r.reason}`),
                      date: date(r.until),
                    })}
                  </strong>
                </p>
                {r.note && <p class="muted">{r.note}</p>}
                {r.overrides.length > 0 && (
                  <details>
                    <summary>{t("restrictions.overrides", { count: r.overrides.length })}</summary>
                    <ul>
                      {r.overrides.map((o) => (
                        <li key={o.id}>
                          {formatDateTime(o.at, lang)} · {o.created_by} · {o.reason}
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
                <EndRestriction id={r.id} />
              </li>
            ))}
          </ul>
        </section>
      </div>
    </main>
  );
}

function RestrictionForm({ site }: { site: Site }) {
  const { t } = useI18n();
  const [code, setCode] = useState("");
  const [scope, setScope] = useState<Scope>("all_services");
  const [reason, setReason] = useState<Reason>("violence");
  const [ends, setEnds] = useState("");
  const [review, setReview] = useState("");
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const normal = normaliseCode(code);
    if (!normal) return setProblem(t("restrictions.needCode"));
    if (!ends && !review) return setProblem(t("restrictions.needDate"));
    setBusy(true);
    await write({
      method: "POST",
      path: "/api/v1/restrictions/",
      body: {
        id: crypto.randomUUID(),
        site: site.slug,
        code: normal,
        scope,
        reason,
        ...(ends ? { ends_at: endOfDay(ends) } : {}),
        ...(review ? { review_at: endOfDay(review) } : {}),
        note: note.trim(),
      },
      summary: t("summary.restriction", { scope: t(`scope.${scope}`) }),
    });
    setCode("");
    setNote("");
    setEnds("");
    setReview("");
    setProblem(null);
    setBusy(false);
  }

  return (
    <form class="safety-form" onSubmit={(e) => void submit(e)} autocomplete="off" noValidate>
      <div class="field">
        <label for="restriction-code">{t("restrictions.code")}</label>
        <input
          id="restriction-code"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          autocapitalize="characters"
          autocorrect="off"
          spellcheck={false}
          autocomplete="off"
        />
      </div>
      <Chips
        label={t("restrictions.scope")}
        options={SCOPES.map((s) => ({ value: s, label: t(`scope.${s}`) }))}
        selected={[scope]}
        onToggle={(v) => setScope(v as Scope)}
        single
      />
      <Chips
        label={t("restrictions.reason")}
        options={REASONS.map((r) => ({ value: r, label: t(`restrictionReason.${r}`) }))}
        selected={[reason]}
        onToggle={(v) => setReason(v as Reason)}
        single
      />
      <div class="field">
        <label for="restriction-ends">{t("restrictions.endsOn")}</label>
        <DateInput id="restriction-ends" value={ends} onValue={setEnds} />
      </div>
      <div class="field">
        <label for="restriction-review">{t("restrictions.reviewOn")}</label>
        <DateInput id="restriction-review" value={review} onValue={setReview} />
      </div>
      <div class="field">
        <label for="restriction-note">{t("restrictions.note")}</label>
        <textarea id="restriction-note" rows={3} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </div>
      {problem && <Notice kind="error">{problem}</Notice>}
      <Button type="submit" variant="primary" busy={busy}>
        {t("restrictions.save")}
      </Button>
    </form>
  );
}

function EndRestriction({ id }: { id: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  if (!open) {
    return (
      <button type="button" class="btn btn-secondary btn-small" onClick={() => setOpen(true)}>
        {t("restrictions.end")}
      </button>
    );
  }
  return (
    <form
      class="safety-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!reason.trim()) return;
        void write({
          method: "POST",
          path: "/api/v1/restrictions/{restriction_id}/end",
          params: { restriction_id: id },
          body: { reason: reason.trim() },
          summary: t("summary.restrictionEnd"),
        });
        setOpen(false);
      }}
    >
      <div class="field">
        <label for={`end-${id}`}>{t("restrictions.endReason")}</label>
        <input id={`end-${id}`} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </div>
      <div class="button-row">
        <Button type="submit" variant="primary">
          {t("restrictions.confirmEnd")}
        </Button>
        <button type="button" class="btn btn-quiet" onClick={() => setOpen(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
