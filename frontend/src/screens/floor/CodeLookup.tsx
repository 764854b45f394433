import { useRef, useState } from "preact/hooks";
import { ApiError, api, call, type Lookup, type Site } from "../../api";
import { useI18n } from "../../i18n";
import { navigate } from "../../state/route";
import { Button, Notice } from "../../ui";

/** Upper-case, no spaces or hyphens: how the server normalises a visit code. */
export function normaliseCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]+/g, "");
}

/** What the typed code stands for: nothing looked up yet, the server's answer, or no answer. */
export type Found = { kind: "none" } | { kind: "found"; lookup: Lookup } | { kind: "offline" };

export interface CodeState {
  /** The normalised code; "" when none is typed. */
  code: string;
  found: Found;
  /** A code that matches nobody here: the worker said "Yes, a new person". */
  newConfirmed: boolean;
}

/** The person's open visit at this site, from a lookup; null when not inside. */
export function insideOf(state: CodeState): Lookup["inside"] {
  return state.found.kind === "found" ? state.found.lookup.inside : null;
}

/** Why a form may not send this code yet, or null when it may. */
export function codeProblem(state: CodeState): "lookup.first" | "lookup.confirmNew" | null {
  if (codeSettled(state)) return null;
  return state.found.kind === "none" ? "lookup.first" : "lookup.confirmNew";
}

/** Whether a form may send this code: none typed, looked up (a new person confirmed), or offline. */
export function codeSettled(state: CodeState): boolean {
  if (!state.code) return true;
  if (state.found.kind === "offline") return true;
  if (state.found.kind === "none") return false;
  return state.found.lookup.known || state.newConfirmed;
}

interface Props {
  site: Site;
  /** Prefix of the element ids (two lookups never share a screen, but ids must be unique). */
  id: string;
  label: string;
  onChange: (state: CodeState) => void;
  /** A code that matches nobody needs "Yes, a new person" before the form can send it. */
  confirmNew?: boolean;
  /** Being inside stops this form (the check-in): "Go to booth 8" is then the main action. */
  insideBlocks?: boolean;
  /** The first thing to type on the screen (the check-in): the keyboard opens at once. */
  autoFocus?: boolean;
  /** The look-up button's words ("Look up" by default). */
  submitLabel?: string;
}

/**
 * A visit code, looked up at this site: returning or new, a recent overdose, open referrals and
 * whether the person is already inside (with a way to their booth). Shared by the check-in, the
 * service and the referral forms. The code stays in this screen's memory; it is never shown back.
 */
export function CodeLookup({ site, id, label, onChange, confirmNew = false, submitLabel, autoFocus = false, insideBlocks = false }: Props) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const [state, setState] = useState<CodeState>({ code: "", found: { kind: "none" }, newConfirmed: false });
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  function change(next: CodeState) {
    setState(next);
    onChange(next);
  }

  async function lookUp(event: Event) {
    event.preventDefault();
    const code = normaliseCode(text);
    if (!code) {
      input.current?.focus();
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      const lookup = await call(api.POST("/api/v1/participants/lookup", { body: { site: site.slug, code } }));
      change({ code, found: { kind: "found", lookup }, newConfirmed: false });
    } catch (caught) {
      const failed = caught as ApiError;
      if (failed.isNetwork || failed.status >= 500) change({ code, found: { kind: "offline" }, newConfirmed: false });
      else setFailure(failed);
    }
    setBusy(false);
  }

  const lookup = state.found.kind === "found" ? state.found.lookup : null;
  const inside = lookup?.inside ?? null;
  const errorsId = `${id}-code-errors`;
  return (
    <>
      <form class="lookup" onSubmit={lookUp} autocomplete="off" noValidate>
        <div class="field">
          <label for={`${id}-code`}>{label}</label>
          <input
            id={`${id}-code`}
            ref={input}
            value={text}
            onInput={(e) => {
              setText(e.currentTarget.value);
              setFailure(null);
              change({ code: normaliseCode(e.currentTarget.value), found: { kind: "none" }, newConfirmed: false });
            }}
            autocapitalize="characters"
            autocorrect="off"
            spellcheck={false}
            autocomplete="off"
            enterkeyhint="search"
            aria-invalid={failure ? "true" : "false"}
            {...(failure ? { "aria-describedby": errorsId } : {})}
            autoFocus={autoFocus}
          />
        </div>
        <Button type="submit" variant="secondary" busy={busy}>
          {submitLabel ?? t("checkIn.lookUp")}
        </Button>
      </form>
      {/* Under the whole row, so the button stays level with the field. */}
      {failure && (
        <ul id={errorsId} class="field-errors">
          {(failure.fields["code"] ?? [failure.detail]).map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {state.found.kind === "offline" && <Notice kind="info">{t("checkIn.offlineLookup")}</Notice>}
      {lookup && (
        <section class="panel lookup-result" aria-live="polite" data-testid="lookup-result">
          {inside ? (
            <div class="lookup-inside" data-testid="lookup-inside">
              <p class="lookup-who">
                {inside.booth_label
                  ? t("lookup.insideBooth", { booth: inside.booth_label })
                  : t("lookup.insideService")}
              </p>
              {!insideBlocks && <p>{t("checkIn.returning", { count: lookup.visits_count })}</p>}
              <button
                type="button"
                class={`btn ${insideBlocks ? "btn-primary" : "btn-secondary"} btn-inline`}
                onClick={() =>
                  navigate(
                    inside.booth_label
                      ? `#/floor?booth=${encodeURIComponent(inside.booth_label)}`
                      : "#/floor?service=1",
                  )
                }
              >
                {inside.booth_label
                  ? t("lookup.goToBooth", { booth: inside.booth_label })
                  : t("lookup.goToFloor")}
              </button>
            </div>
          ) : (
            <p class="lookup-who">
              {lookup.known
                ? t("checkIn.returning", { count: lookup.visits_count })
                : confirmNew
                  ? t("lookup.nobody")
                  : t("checkIn.new")}
            </p>
          )}
          {!lookup.known && confirmNew && (
            <button
              type="button"
              class="chip"
              aria-pressed={state.newConfirmed ? "true" : "false"}
              onClick={() => change({ ...state, newConfirmed: !state.newConfirmed })}
            >
              {t("lookup.yesNew")}
            </button>
          )}
          {lookup.recent_overdose && <Notice kind="error">{t("checkIn.recentOverdose")}</Notice>}
          {lookup.open_referrals.length > 0 && (
            <p>{t("checkIn.openReferrals", { count: lookup.open_referrals.length })}</p>
          )}
        </section>
      )}
    </>
  );
}
