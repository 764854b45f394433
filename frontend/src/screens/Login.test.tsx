import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { alice, mockFetch, mockFetchOffline } from "../test-utils";
import { Login } from "./Login";

afterEach(() => {
  vi.unstubAllGlobals();
});

function renderLogin(onSignedIn = vi.fn()) {
  render(
    <I18nProvider lang="en">
      <Login onSignedIn={onSignedIn} />
    </I18nProvider>,
  );
  return onSignedIn;
}

function signIn(username: string, password: string) {
  fireEvent.input(screen.getByLabelText("Username"), { target: { value: username } });
  fireEvent.input(screen.getByLabelText("Password"), { target: { value: password } });
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("Login screen", () => {
  it("renders labelled username and password fields and a sign-in button", () => {
    renderLogin();
    expect(screen.getByLabelText("Username").getAttribute("type")).toBe("text");
    expect(screen.getByLabelText("Password").getAttribute("type")).toBe("password");
    expect(screen.getByRole("button", { name: "Sign in" })).toBeTruthy();
  });

  it("signs in and hands the user over", async () => {
    document.cookie = "csrftoken=tok123"; // set by the page that served the app
    const fetch = mockFetch({ status: 200, body: { user: alice } });
    const onSignedIn = renderLogin();

    signIn("alice", "secret");

    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(alice));
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("disables the button while sending", async () => {
    let answer: (response: Response) => void = () => undefined;
    vi.stubGlobal(
      "fetch",
      vi.fn(() => new Promise<Response>((resolve) => (answer = resolve))),
    );
    renderLogin();

    signIn("alice", "secret");

    const button = screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement;
    await waitFor(() => expect(button.disabled).toBe(true));
    answer(new Response(JSON.stringify({ detail: "no" }), { status: 401 }));
    await waitFor(() => expect(button.disabled).toBe(false));
  });

  it("shows the wrong-password message on 401", async () => {
    mockFetch({ status: 401, body: { detail: "Invalid credentials." } });
    const onSignedIn = renderLogin();

    signIn("alice", "wrong");

    expect((await screen.findByRole("alert")).textContent).toBe("Wrong username or password.");
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it("shows field errors from a 400 beside their fields", async () => {
    mockFetch({
      status: 400,
      body: {
        detail: "Invalid input.",
        fields: { username: ["This field may not be blank."], password: ["Too short."] },
      },
    });
    renderLogin();

    signIn("", "x");

    const username = await screen.findByLabelText("Username");
    await waitFor(() => expect(username.getAttribute("aria-invalid")).toBe("true"));
    const usernameErrors = document.getElementById(username.getAttribute("aria-describedby")!);
    expect(usernameErrors?.textContent).toBe("This field may not be blank.");
    const password = screen.getByLabelText("Password");
    const passwordErrors = document.getElementById(password.getAttribute("aria-describedby")!);
    expect(passwordErrors?.textContent).toBe("Too short.");
  });

  it("asks the user to wait on 429", async () => {
    mockFetch({ status: 429, body: { detail: "Throttled." } });
    renderLogin();

    signIn("alice", "guess");

    expect((await screen.findByRole("alert")).textContent).toBe(
      "Too many attempts. Wait a few minutes, or ask a supervisor.",
    );
  });

  it("says so plainly when the server cannot be reached", async () => {
    mockFetchOffline();
    renderLogin();

    signIn("alice", "secret");

    expect((await screen.findByRole("alert")).textContent).toBe(
      "Cannot reach the server. Check the Wi-Fi connection, then try again.",
    );
  });
});
