import { useRef, useState } from "preact/hooks";
import { ApiError, login, type FieldErrors, type User } from "../api";
import { useI18n, type MessageKey } from "../i18n";
import { Button, Field, Notice } from "../ui";

interface Props {
  onSignedIn: (user: User) => void;
  /** Shown above the form, e.g. why the previous session ended. */
  notice?: MessageKey | undefined;
}

const FORM_FIELDS = ["username", "password"];

export function Login({ onSignedIn, notice }: Props) {
  const { t } = useI18n();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  // Kept as the error itself, not as text, so switching language re-translates it.
  const [failure, setFailure] = useState<ApiError | null>(null);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setFailure(null);
    try {
      const user = await login(username, password);
      setPassword("");
      onSignedIn(user);
      return;
    } catch (caught) {
      const next = caught instanceof ApiError ? caught : new ApiError(0, String(caught));
      if (next.status === 401) setPassword("");
      setFailure(next);
      if (next.fields["username"]) usernameRef.current?.focus();
      else if (next.fields["password"]) passwordRef.current?.focus();
    }
    setBusy(false);
  }

  const fields: FieldErrors = failure?.status === 400 ? failure.fields : {};
  const error = failure ? describe(failure) : null;

  function describe(failure: ApiError): string {
    switch (failure.status) {
      case 400: {
        // Messages not tied to a visible field (e.g. non_field_errors) go in the banner.
        const other = Object.entries(failure.fields)
          .filter(([name]) => !FORM_FIELDS.includes(name))
          .flatMap(([, messages]) => messages);
        if (other.length > 0) return other.join(" ");
        return FORM_FIELDS.some((name) => failure.fields[name]) ? t("login.fix") : failure.detail;
      }
      case 401:
        return t("login.wrong");
      case 429:
        return t("login.throttled");
      case 0:
        return t("error.network");
      default:
        return t("error.server", { status: failure.status });
    }
  }

  return (
    <main class="screen screen-narrow">
      <h1>{t("app.name")}</h1>
      <p class="lede">{t("login.intro")}</p>
      {notice && !error && <Notice kind="info">{t(notice)}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {/* autocomplete off: tablets are shared, so do not offer to remember who signed in. */}
      <form class="stack" onSubmit={submit} autocomplete="off" noValidate>
        <Field
          id="login-username"
          name="username"
          label={t("login.username")}
          value={username}
          onValue={setUsername}
          errors={fields["username"]}
          inputRef={usernameRef}
        />
        <Field
          id="login-password"
          name="password"
          type="password"
          label={t("login.password")}
          value={password}
          onValue={setPassword}
          errors={fields["password"]}
          inputRef={passwordRef}
          enterkeyhint="go"
        />
        <Button type="submit" variant="primary" busy={busy}>
          {t("login.submit")}
        </Button>
      </form>
    </main>
  );
}
