import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, api, call, type Schemas, type Site } from "../../api";
import { useI18n } from "../../i18n";
import { write } from "../../outbox/write";
import { useOutbox, useReloadOnDelivery } from "../../state/hooks";
import { Button, Chips, Notice, ScreenHead } from "../../ui";
import "./safety.css";
import { formatDay } from "../../i18n/dates";

type Complaint = Schemas["Complaint"];
type Category = Complaint["category"];
const CATEGORIES: Category[] = [
  "service",
  "staff_conduct",
  "safety",
  "privacy",
  "accessibility",
  "restriction",
  "neighbourhood",
  "other",
];

/** The complaints register (supervisors): received, about what, response due, answered, closed. */
export function ComplaintsScreen({ site }: { site: Site }) {
  const { t, lang } = useI18n();
  const { state } = useOutbox();
  const [items, setItems] = useState<Complaint[] | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [category, setCategory] = useState<Category>("service");
  const [summary, setSummary] = useState("");
  const [problem, setProblem] = useState(false);

  const load = useCallback(async () => {
    try {
      const page = await call(
        api.GET("/api/v1/complaints/", {
          params: { query: { site: site.slug, open: true, page_size: 100 } },
        }),
      );
      setItems(page.results);
      setFailure(null);
    } catch (caught) {
      setFailure(caught as ApiError);
    }
  }, [site.slug]);
  useEffect(() => void load(), [load]);
  useReloadOnDelivery(state.pending, () => void load());

  async function register(event: Event) {
    event.preventDefault();
    if (!summary.trim()) return setProblem(true);
    await write({
      method: "POST",
      path: "/api/v1/complaints/",
      body: { id: crypto.randomUUID(), site: site.slug, category, summary: summary.trim() },
      summary: t("summary.complaint", { category: t(`complaintCategory.${category}`) }),
    });
    setSummary("");
    setProblem(false);
  }

  return (
    <main class="screen screen-wide" aria-labelledby="complaints-title">
      <ScreenHead id="complaints-title" title={t("complaints.title")} />
      {failure && <Notice kind="error">{failure.isNetwork ? t("error.network") : failure.detail}</Notice>}
      <div class="safety-layout">
        <section class="panel" aria-labelledby="complaint-new-title">
          <h2 id="complaint-new-title">{t("complaints.new")}</h2>
          <form class="safety-form" onSubmit={(e) => void register(e)} noValidate>
            <Chips
              label={t("complaints.category")}
              options={CATEGORIES.map((c) => ({ value: c, label: t(`complaintCategory.${c}`) }))}
              selected={[category]}
              onToggle={(v) => setCategory(v as Category)}
              single
            />
            <div class="field">
              <label for="complaint-summary">{t("complaints.summary")}</label>
              <textarea
                id="complaint-summary"
                rows={4}
                maxLength={4000}
                value={summary}
                onInput={(e) => setSummary(e.currentTarget.value)}
              />
            </div>
            {problem && <Notice kind="error">{t("complaints.needSummary")}</Notice>}
            <Button type="submit" variant="primary">
              {t("complaints.save")}
            </Button>
          </form>
        </section>
        <section aria-labelledby="complaints-open-title">
          <h2 id="complaints-open-title">{t("complaints.open")}</h2>
          {items?.length === 0 && <p class="muted">{t("complaints.none")}</p>}
          <ul class="safety-list">
            {(items ?? []).map((c) => (
              <li key={c.id} class="safety-item">
                <p>
                  <strong>{t(`complaintCategory.${c.category}`)}</strong> ·{" "}
                  {t("complaints.due", { date: formatDay(c.response_due_on, lang) })}{" "}
                  {c.overdue && <span class="tag tag-danger">{t("complaints.overdue")}</span>}
                </p>
                <p>{c.summary}</p>
                <Respond complaint={c} />
              </li>
            ))}
          </ul>
        </section>
      </div>
    </main>
  );
}

function Respond({ complaint }: { complaint: Complaint }) {
  const { t } = useI18n();
  const [response, setResponse] = useState(complaint.response);
  function save(close: boolean) {
    if (!response.trim()) return;
    void write({
      method: "POST",
      path: "/api/v1/complaints/{complaint_id}/respond",
      params: { complaint_id: complaint.id },
      body: { response: response.trim(), close },
      summary: t("summary.complaintRespond"),
    });
  }
  return (
    <div class="safety-form">
      <div class="field">
        <label for={`response-${complaint.id}`}>{t("complaints.response")}</label>
        <textarea
          id={`response-${complaint.id}`}
          rows={2}
          value={response}
          onInput={(e) => setResponse(e.currentTarget.value)}
        />
      </div>
      <div class="button-row">
        <button type="button" class="btn btn-secondary" onClick={() => save(false)}>
          {t("complaints.respond")}
        </button>
        <button type="button" class="btn btn-secondary" onClick={() => save(true)}>
          {t("complaints.close")}
        </button>
      </div>
    </div>
  );
}
