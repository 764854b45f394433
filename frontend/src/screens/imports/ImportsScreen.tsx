import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, api, call, type Import, type ImportKind, type ImportSummary, type Site } from "../../api";
import { Button, Chips, Notice } from "../../ui";
import type { Lang } from "../../i18n";
import { siteDateTime } from "../review/format";
import { useImportsText } from "./messages";
import "./imports.css";

/** How often a check or a run in progress is asked for its progress. */
export const POLL_MS = 1000;

type Step =
  | { kind: "choose" }
  | { kind: "checking"; upload: Import; file: File }
  | { kind: "checked"; upload: Import; file: File }
  | { kind: "running"; upload: Import }
  | { kind: "ended"; upload: Import };

const ENDED = new Set<Import["status"]>(["done", "failed"]);

/** Sends the file as it is (multipart), to be checked (dry run) or imported. */
function uploadFile(site: string, kind: ImportKind["kind"], file: File, dryRun: boolean): Promise<Import> {
  const form = new FormData();
  form.append("site", site);
  form.append("kind", kind);
  form.append("dry_run", dryRun ? "true" : "false");
  form.append("file", file, file.name);
  return call(
    api.POST("/api/v1/imports/", {
      body: { site, kind, dry_run: dryRun, file: file.name },
      bodySerializer: () => form,
    }),
  );
}

/** The import `upload` as it moves on, asked every POLL_MS until it is done or stopped. */
function useProgress(upload: Import | null, onEnded: (upload: Import) => void): Import | null {
  const [latest, setLatest] = useState<Import | null>(upload);
  useEffect(() => {
    setLatest(upload);
    if (!upload || ENDED.has(upload.status)) {
      if (upload) onEnded(upload);
      return undefined;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = () => {
      call(api.GET("/api/v1/imports/{import_id}", { params: { path: { import_id: upload.id } } }))
        .then((answer) => {
          if (stopped) return;
          setLatest(answer);
          if (ENDED.has(answer.status)) onEnded(answer);
          else timer = setTimeout(poll, POLL_MS);
        })
        .catch(() => {
          // The Wi-Fi dropped: the run goes on at the server; ask again.
          if (!stopped) timer = setTimeout(poll, POLL_MS * 3);
        });
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // One polling per upload: `onEnded` is the same for its whole run.
  }, [upload?.id]);
  return latest;
}

export function ImportsScreen({ site }: { site: Site }) {
  const { t, lang } = useImportsText();
  const [kinds, setKinds] = useState<ImportKind[] | null>(null);
  const [kind, setKind] = useState<ImportKind["kind"] | null>(null);
  const [history, setHistory] = useState<ImportSummary[] | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fileKey, setFileKey] = useState(0);
  const [step, setStep] = useState<Step>({ kind: "choose" });
  const [refused, setRefused] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const loadHistory = useCallback(() => {
    call(api.GET("/api/v1/imports/", { params: { query: { site: site.slug } } }))
      .then(setHistory)
      .catch((caught: unknown) => setFailure(caught as ApiError));
  }, [site.slug]);

  useEffect(() => {
    call(api.GET("/api/v1/imports/kinds", { params: { query: { site: site.slug, lang } } }))
      .then((answer) => {
        setKinds(answer);
        setKind((current) => current ?? answer[0]?.kind ?? null);
      })
      .catch((caught: unknown) => setFailure(caught as ApiError));
    loadHistory();
  }, [site.slug, lang, loadHistory]);

  const watched = step.kind === "checking" || step.kind === "running" ? step.upload : null;
  const onEnded = useCallback(
    (upload: Import) => {
      setStep((current) =>
        current.kind === "checking" && upload.dry_run
          ? { kind: "checked", upload, file: current.file }
          : { kind: "ended", upload },
      );
      loadHistory();
    },
    [loadHistory],
  );
  const progress = useProgress(watched, onEnded);

  async function send(dryRun: boolean, chosen: File | null) {
    setRefused(null);
    if (!chosen || !kind) {
      setRefused(t("chooseFile"));
      return;
    }
    setBusy(true);
    try {
      const upload = await uploadFile(site.slug, kind, chosen, dryRun);
      setStep(dryRun ? { kind: "checking", upload, file: chosen } : { kind: "running", upload });
      loadHistory();
    } catch (caught) {
      const error = caught as ApiError;
      const fields = Object.values(error.fields ?? {}).flat();
      setRefused(fields.length > 0 ? fields.join(" ") : error.detail);
    } finally {
      setBusy(false);
    }
  }

  function restart() {
    setStep({ kind: "choose" });
    setFile(null);
    setFileKey((key) => key + 1);
    setRefused(null);
  }

  const chosenKind = kinds?.find((k) => k.kind === kind) ?? null;
  const shown = progress ?? (step.kind === "choose" ? null : step.upload);

  return (
    <main class="screen screen-wide imports" aria-labelledby="imports-title">
      <h1 id="imports-title">{t("title")}</h1>
      <p class="lede">{t("intro")}</p>
      {failure && <Notice kind="error">{failure.isNetwork ? t("loadFailed") : failure.detail}</Notice>}

      <section class="panel" aria-labelledby="imports-kind">
        <h2 id="imports-kind">{t("step.kind")}</h2>
        {kinds && (
          <Chips
            label={t("kind")}
            options={kinds.map((k) => ({ value: k.kind, label: k.label }))}
            selected={kind ? [kind] : []}
            onToggle={(value) => setKind(value as ImportKind["kind"])}
            single
          />
        )}
        {chosenKind && (
          <>
            <p>{t("templates")}</p>
            <div class="button-row">
              <a class="btn btn-secondary btn-inline" href={chosenKind.templates.xlsx} download>
                {t("templateXlsx")}
              </a>
              <a class="btn btn-secondary btn-inline" href={chosenKind.templates.csv} download>
                {t("templateCsv")}
              </a>
            </div>
            <details class="import-columns">
              <summary>{t("columns")}</summary>
              <div class="import-table-scroll">
                <table class="import-table">
                  <thead>
                    <tr>
                      <th scope="col">{t("column.name")}</th>
                      <th scope="col">{t("column.required")}</th>
                      <th scope="col">{t("column.note")}</th>
                      <th scope="col">{t("column.allowed")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {chosenKind.columns.map((column) => (
                      <tr key={column.name}>
                        <th scope="row">
                          <code>{column.name}</code>
                        </th>
                        <td>{column.required ? t("yes") : t("no")}</td>
                        <td class="import-wrap">{column.note}</td>
                        <td class="import-wrap">{column.allowed ? column.allowed.join(", ") : t("anyValue")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </>
        )}
      </section>

      <section class="panel" aria-labelledby="imports-file">
        <h2 id="imports-file">{t("step.file")}</h2>
        {step.kind === "choose" && (
          <form
            class="import-file"
            onSubmit={(event) => {
              event.preventDefault();
              void send(true, file);
            }}
          >
            <div class="field">
              <label for="import-file">{t("file")}</label>
              <input
                key={fileKey}
                id="import-file"
                type="file"
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                onChange={(event) => setFile((event.currentTarget as HTMLInputElement).files?.[0] ?? null)}
              />
              <p class="muted">{t("fileHint")}</p>
            </div>
            <Button variant="primary" type="submit" busy={busy}>
              {t("check")}
            </Button>
          </form>
        )}
        {refused && <Notice kind="error">{refused}</Notice>}
        {step.kind === "checking" && <p role="status">{t("checking", { file: step.file.name })}</p>}
        {(step.kind === "checked" || step.kind === "ended") && shown && shown.errors.length > 0 && (
          <RowErrors upload={shown} />
        )}
        {step.kind === "checked" && shown && shown.errors.length === 0 && (
          <>
            <Notice kind="info">
              {(shown.progress.rows_total ?? 0) > 0
                ? t("good", { rows: shown.progress.rows_total ?? 0, file: shown.file_name })
                : t("empty", { file: shown.file_name })}
            </Notice>
            {(shown.progress.rows_total ?? 0) > 0 && (
              <Button variant="primary" busy={busy} onClick={() => void send(false, step.file)}>
                {t("run", { rows: shown.progress.rows_total ?? 0 })}
              </Button>
            )}
          </>
        )}
        {step.kind !== "choose" && step.kind !== "checking" && (
          <p>
            <button type="button" class="btn btn-secondary btn-inline" onClick={restart}>
              {t("another")}
            </button>
          </p>
        )}
      </section>

      {(step.kind === "running" || (step.kind === "ended" && shown && !shown.dry_run)) && shown && (
        <section class="panel panel-raised" aria-labelledby="imports-run">
          <h2 id="imports-run">{t("step.run")}</h2>
          <RunProgress upload={shown} />
        </section>
      )}

      <section class="panel" aria-labelledby="imports-history">
        <h2 id="imports-history">{t("history")}</h2>
        {history && history.length === 0 && <p class="muted">{t("noHistory")}</p>}
        {history && history.length > 0 && <History site={site} lang={lang} imports={history} kinds={kinds ?? []} />}
      </section>
    </main>
  );
}

function RowErrors({ upload }: { upload: Import }) {
  const { t } = useImportsText();
  return (
    <>
      <Notice kind="error">{t("bad", { count: upload.errors.length, file: upload.file_name })}</Notice>
      <div class="import-table-scroll">
        <table class="import-table import-errors" data-testid="import-errors">
          <thead>
            <tr>
              <th scope="col">{t("error.row")}</th>
              <th scope="col">{t("error.column")}</th>
              <th scope="col">{t("error.message")}</th>
            </tr>
          </thead>
          <tbody>
            {upload.errors.map((error, index) => (
              <tr key={index}>
                <td>{error.row ?? t("error.wholeFile")}</td>
                <td>{error.column ? <code>{error.column}</code> : "—"}</td>
                <td class="import-wrap">{error.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function RunProgress({ upload }: { upload: Import }) {
  const { t } = useImportsText();
  const total = upload.progress.rows_total;
  const done = upload.progress.rows_done;
  return (
    <div class="import-progress">
      {upload.status !== "done" && upload.status !== "failed" && (
        <p role="status">{t("running", { file: upload.file_name })}</p>
      )}
      <progress
        aria-label={t("progressLabel")}
        max={total ?? 1}
        value={total === null || total === undefined ? undefined : done}
        data-testid="import-progress"
      />
      {total !== null && total !== undefined && (
        <p class="import-progress-figure">{t("progress", { done, total })}</p>
      )}
      {upload.status === "done" && (
        <Notice kind="info">{t("finished", { written: upload.rows_written, file: upload.file_name })}</Notice>
      )}
      {upload.status === "failed" && (
        <>
          <Notice kind="error">{t("failed", { file: upload.file_name })}</Notice>
          {upload.errors.length > 0 && <RowErrors upload={upload} />}
        </>
      )}
    </div>
  );
}

/** A check that found problems says so; a run that stopped is red. */
function Status({ item }: { item: ImportSummary }) {
  const { t } = useImportsText();
  if (item.dry_run && item.status === "done" && item.errors_count > 0) {
    return <span class="tag tag-amber">{t("status.problems")}</span>;
  }
  return <span class={`tag ${item.status === "failed" ? "tag-danger" : ""}`}>{t(`status.${item.status}`)}</span>;
}

function History(props: { site: Site; lang: Lang; imports: ImportSummary[]; kinds: ImportKind[] }) {
  const { t } = useImportsText();
  const label = (kind: string) => props.kinds.find((k) => k.kind === kind)?.label ?? kind;
  return (
    <div class="import-table-scroll">
      <table class="import-table" data-testid="import-history">
        <thead>
          <tr>
            <th scope="col">{t("history.when")}</th>
            <th scope="col">{t("history.kind")}</th>
            <th scope="col">{t("history.file")}</th>
            <th scope="col">{t("history.status")}</th>
            <th scope="col">{t("history.rows")}</th>
            <th scope="col">{t("history.written")}</th>
            <th scope="col">{t("history.errors")}</th>
            <th scope="col">{t("history.who")}</th>
          </tr>
        </thead>
        <tbody>
          {props.imports.map((item) => (
            <tr key={item.id}>
              <td class="import-wrap">{siteDateTime(item.created_at, props.site, props.lang)}</td>
              <td>{label(item.kind)}</td>
              <td class="import-wrap import-name">
                {item.file_name}
                <span class="import-step">{item.dry_run ? t("what.check") : t("what.run")}</span>
              </td>
              <td>
                <Status item={item} />
              </td>
              <td>
                {item.progress.rows_done}
                {item.progress.rows_total !== null && ` / ${item.progress.rows_total}`}
              </td>
              <td>{item.dry_run ? "—" : item.rows_written}</td>
              <td>{item.errors_count}</td>
              <td>{item.created_by}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
