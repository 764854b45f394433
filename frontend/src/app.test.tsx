import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./app";
import { alice, mockFetch, requestOf } from "./test-utils";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("app shell", () => {
  it("shows Login when /me answers 403", async () => {
    mockFetch({ status: 403, body: { detail: "Not logged in." } });
    render(<App lang="en" />);
    expect(await screen.findByLabelText("Username")).toBeTruthy();
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("shows Login without the session-ended message when /me answers 401 on load", async () => {
    mockFetch({ status: 401, body: { detail: "Not logged in." } });
    render(<App lang="en" />);
    expect(await screen.findByLabelText("Username")).toBeTruthy();
    expect(screen.queryByText("Your session ended. Sign in again.")).toBeNull();
  });

  it("shows Home with the user's sites and roles when /me answers 200", async () => {
    mockFetch({ status: 200, body: alice });
    render(<App lang="en" />);

    expect(await screen.findByText("Signed in as Alice Tremblay")).toBeTruthy();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Vigil");
    expect(screen.getByText("Downtown")).toBeTruthy();
    expect(screen.getByText("Supervisor")).toBeTruthy();
  });

  it("signs out to the Login screen", async () => {
    const fetch = mockFetch({ status: 200, body: alice }, { status: 204 });
    render(<App lang="en" />);

    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));

    expect(await screen.findByLabelText("Username")).toBeTruthy();
    expect(requestOf(fetch, 1).url).toBe("/api/v1/auth/logout");
  });

  it("returns to Login with a message when the session has ended", async () => {
    mockFetch({ status: 200, body: alice }, { status: 401, body: { detail: "Not logged in." } });
    render(<App lang="en" />);

    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));

    expect((await screen.findByRole("status")).textContent).toBe(
      "Your session ended. Sign in again.",
    );
    expect(screen.queryByText("Signed in as Alice Tremblay")).toBeNull();
  });

  it("switches to French and remembers it", async () => {
    mockFetch({ status: 401, body: { detail: "Not logged in." } });
    render(<App lang="en" />);
    await screen.findByLabelText("Username");

    fireEvent.click(screen.getByRole("button", { name: "Français" }));

    await waitFor(() => expect(screen.getByLabelText("Nom d’utilisateur")).toBeTruthy());
    expect(localStorage.getItem("vigil.lang")).toBe("fr");
    expect(document.documentElement.lang).toBe("fr");
  });

  it("is dark by default and remembers the light theme", async () => {
    mockFetch({ status: 401, body: { detail: "Not logged in." } });
    render(<App lang="en" />);
    const toggle = await screen.findByRole("button", { name: "Dark theme" });
    expect(document.documentElement.dataset["theme"]).toBe("dark");
    expect(toggle.getAttribute("aria-pressed")).toBe("true");

    fireEvent.click(toggle);

    await waitFor(() => expect(document.documentElement.dataset["theme"]).toBe("light"));
    expect(localStorage.getItem("vigil.theme")).toBe("light");
  });
});
