import { useEffect, useState } from "preact/hooks";
import { ApiError, api, call, type Alert, type Site } from "../../api";
import { useI18n } from "../../i18n";
import { Notice } from "../../ui";
import "./safety.css";
import { formatDateTime } from "../../i18n/dates";

/** A printable poster of an alert for the waiting room: the message, large, and the advice. */
export function Poster({ site, id }: { site: Site; id: string }) {
  const { t, lang } = useI18n();
  const [alert, setAlert] = useState<Alert | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);

  useEffect(() => {
    call(api.GET("/api/v1/alerts/", { params: { query: { site: site.slug, page_size: 100 } } }))
      .then((page) => setAlert(page.results.find((a) => a.id === id) ?? null))
      .catch((caught: unknown) => setFailure(caught as ApiError));
  }, [site.slug, id]);

  if (failure) return <Notice kind="error">{failure.detail}</Notice>;
  if (!alert) return null;
  return (
    <main class="screen">
      <article class="poster" data-testid="poster">
        <h1>{t("poster.heading")}</h1>
        <p class="poster-message">{alert.message}</p>
        <p class="poster-advice">{t("poster.advice")}</p>
        <p>
          {site.name} · {t("poster.posted", { time: formatDateTime(alert.created_at, lang) })}
        </p>
      </article>
      <p class="no-print">
        <button type="button" class="btn btn-primary" onClick={() => print()}>
          {t("poster.print")}
        </button>
      </p>
    </main>
  );
}
