import { useEffect, useState } from "preact/hooks";
import { ApiError, api, call, type Schemas } from "../../api";
import { catalogues, useI18n, type Lang, type MessageKey } from "../../i18n";
import { Button, Notice } from "../../ui";
import { formatFigure, SECTIONS, type Figure } from "./indicators";
import { formatDateTime, formatMonth } from "../../i18n/dates";

type Submission = Schemas["Submission"];
type Draft = Schemas["MonthlyDraft"];
type Profile = Schemas["SubmissionProfileEnum"];
const PROFILES: Profile[] = ["health_canada_monthly", "ontario_cts_monthly"];

/** The month before the one `today` (YYYY-MM-DD) falls in, as YYYY-MM. */
export function previousMonth(today: string): string {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, "0")}`;
}

/**
 * The regulator's forms of a site: each version sent, whether a late record has changed its
 * figures since ("revised since submission", with what changed), its downloads, and for
 * supervisors sending a month (freezing its figures) or resending the revised figures.
 */
export function Submissions(props: { site: string; today: string; canSend: boolean }) {
  const { t, lang } = useI18n();
  const [sent, setSent] = useState<Submission[] | null>(null);
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [profile, setProfile] = useState<Profile>("ontario_cts_monthly");
  const [month, setMonth] = useState(previousMonth(props.today));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let live = true;
    call(api.GET("/api/v1/reports/submissions/", { params: { query: { site: props.site } } }))
      .then((list) => live && setSent(list))
      .catch((caught: unknown) => live && setFailure(caught as ApiError));
    if (props.canSend) {
      call(api.GET("/api/v1/reports/drafts/", { params: { query: { site: props.site } } }))
        .then((ready) => live && setDrafts(ready))
        .catch(() => live && setDrafts([]));
    }
    return () => {
      live = false;
    };
  }, [props.site, reloads]);

  async function send(which: Profile, when: string) {
    setBusy(true);
    setFailure(null);
    try {
      await call(api.POST("/api/v1/reports/submissions/", { body: { site: props.site, profile: which, month: when } }));
      setReloads(reloads + 1);
    } catch (caught) {
      setFailure(caught as ApiError);
    } finally {
      setBusy(false);
    }
  }

  const latest = new Set<string>();
  const versions = (sent ?? []).filter((s) => {
    const key = `${s.profile} ${s.month}`;
    const first = !latest.has(key);
    latest.add(key);
    return first;
  });

  return (
    <section class="panel submissions" aria-labelledby="submissions-title">
      <h2 id="submissions-title">{t("submissions.title")}</h2>
      {drafts.map((draft) => (
        <p key={draft.month} class="notice notice-info" role="status" data-testid="draft">
          {t("submissions.ready", {
            month: monthName(draft.month, lang),
            forms: draft.profiles.map((p) => t(`submissions.profile.${p}`)).join(", "),
          })}{" "}
          <a href={`#/reports/monthly?site=${props.site}&month=${draft.month}`}>{t("submissions.review")}</a>
        </p>
      ))}
      {props.canSend && (
        <form
          class="submission-form"
          onSubmit={(event) => {
            event.preventDefault();
            void send(profile, month);
          }}
        >
          <div class="field">
            <label for="submission-profile">{t("submissions.profile")}</label>
            <select id="submission-profile" value={profile} onChange={(e) => setProfile(e.currentTarget.value as Profile)}>
              {PROFILES.map((p) => (
                <option key={p} value={p}>
                  {t(`submissions.profile.${p}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="submission-month">{t("submissions.month")}</label>
            <input id="submission-month" type="month" value={month} onInput={(e) => setMonth(e.currentTarget.value)} />
          </div>
          <Button variant="primary" type="submit" busy={busy}>
            {busy ? t("submissions.sending") : t("submissions.send")}
          </Button>
        </form>
      )}
      {failure && <Notice kind="error">{failure.isNetwork ? t("error.network") : failureText(failure)}</Notice>}
      {sent && sent.length === 0 && <p class="muted">{t("submissions.none")}</p>}
      <ul class="submission-list">
        {(sent ?? []).map((submission) => {
          const revised = submission.status === "revised_since_submission";
          const newest = versions.includes(submission);
          const when = formatDateTime(submission.submitted_at, lang);
          return (
            <li key={submission.id} class="submission" data-testid="submission">
              <div class="submission-head">
                <strong>
                  {t(`submissions.profile.${submission.profile}`)} · {submission.month}
                </strong>
                <span>{t("submissions.version", { version: submission.version })}</span>
                <span class={`tag ${revised ? "tag-amber" : ""}`}>{t(`submissions.status.${submission.status}`)}</span>
                {submission.suppressed && <span class="muted">{t("submissions.suppressed")}</span>}
              </div>
              <p class="muted">{t("submissions.sentBy", { name: submission.submitted_by, when })}</p>
              {revised && (
                <details open={newest}>
                  <summary>{t("submissions.changed")}</summary>
                  <ul class="submission-changes">
                    {Object.entries(submission.changed).map(([name, pair]) => (
                      <li key={name}>
                        {t("submissions.was", {
                          name: labelOf(name, t),
                          sent: formatFigure((pair[0] ?? null) as Figure, lang),
                          now: formatFigure((pair[1] ?? null) as Figure, lang),
                        })}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
              <div class="button-row">
                <a class="btn btn-secondary btn-small" href={`/api/v1/reports/submissions/${submission.id}/download?format=xlsx`} download>
                  {t("submissions.xlsx")}
                </a>
                <a class="btn btn-secondary btn-small" href={`/api/v1/reports/submissions/${submission.id}/download?format=csv`} download>
                  {t("submissions.csv")}
                </a>
                {props.canSend && revised && newest && (
                  <Button variant="primary" busy={busy} onClick={() => void send(submission.profile, submission.month)}>
                    {t("submissions.resend", { version: submission.version + 1 })}
                  </Button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function monthName(month: string, lang: Lang): string {
  return formatMonth(month, lang);
}

function failureText(failure: ApiError): string {
  const fields = Object.values(failure.fields).flat();
  return fields.length ? fields.join(" ") : failure.detail;
}

/** "visits_by_time_band.17_22" → "Visits by time of check-in: 17:00 to 21:59". */
function labelOf(path: string, t: (key: MessageKey) => string): string {
  const known = (key: string): key is MessageKey => key in catalogues.en;
  const [name = "", value] = path.split(".");
  const head = known(`indicator.${name}`) ? t(`indicator.${name}` as MessageKey) : name;
  if (value === undefined) return head;
  const prefix = SECTIONS.flatMap((s) => s.nested).find((n) => n.name === name)?.labelPrefix;
  const key = `${prefix}.${value}`;
  return `${head}: ${prefix && known(key) ? t(key) : value}`;
}
