import "fake-indexeddb/auto";
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./app";
import { closeOutbox, stopOutbox } from "./outbox";
import { alice, floorOf, harbour, routeFetch, staffAtHarbour } from "./test-utils";

beforeEach(() => {
  vi.stubGlobal("indexedDB", new IDBFactory());
  location.hash = "";
});

afterEach(async () => {
  vi.useRealTimers();
  stopOutbox();
  await closeOutbox();
  vi.unstubAllGlobals();
});

const signedInAtHarbour = (floor = floorOf()) => ({
  "GET /api/v1/me": { status: 200, body: staffAtHarbour },
  "GET /api/v1/sites/": { status: 200, body: { count: 1, next: null, previous: null, results: [harbour] } },
  "GET /api/v1/sites/harbour/floor": { status: 200, body: floor },
  "POST /api/v1/auth/logout": { status: 204 },
});

describe("app shell", () => {
  it("shows Login when /me answers 403", async () => {
    routeFetch({ "GET /api/v1/me": { status: 403, body: { detail: "Not logged in." } } });
    render(<App lang="en" />);
    expect(await screen.findByLabelText("Username")).toBeTruthy();
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("shows Login without the session-ended message when /me answers 401 on load", async () => {
    routeFetch({ "GET /api/v1/me": { status: 401, body: { detail: "Not logged in." } } });
    render(<App lang="en" />);
    expect(await screen.findByLabelText("Username")).toBeTruthy();
    expect(screen.queryByText("Your session ended. Sign in again.")).toBeNull();
  });

  it("opens the floor board of the user's only site, a tile per booth", async () => {
    routeFetch(signedInAtHarbour(floorOf({ b3: { id: "v3", minutes: 12 } })));
    render(<App lang="en" />);

    expect(await screen.findByRole("heading", { level: 1, name: "Harbour" })).toBeTruthy();
    expect(await screen.findByRole("button", { name: "Check out of booth 3" })).toBeTruthy();
    expect(screen.getByRole("button", { name: /Booth 1/ })).toBeTruthy();
    expect(screen.getByText("12 min")).toBeTruthy();
    expect(screen.getByText("Check soon")).toBeTruthy();
    expect(screen.getByText("Everything is sent")).toBeTruthy();
    const today = screen.getByTestId("floor-today");
    expect(today.textContent).toBe("Visits42People31Overdoses2Naloxone3");
  });

  it("queues one check-out and one overdose however fast a booth's buttons are tapped", async () => {
    routeFetch(signedInAtHarbour(floorOf({ b3: { id: "v3", minutes: 12 }, b2: { id: "v2", minutes: 4 } })), [
      "POST /api/v1/visits/v3/check-out",
      "POST /api/v1/incidents/",
    ]);
    render(<App lang="en" />);

    const checkOut = await screen.findByRole("button", { name: "Check out of booth 3" });
    fireEvent.click(checkOut);
    fireEvent.click(checkOut);
    expect(await screen.findByText("1 waiting to send")).toBeTruthy();

    const overdose = screen.getByRole("button", { name: "Overdose in booth 2" });
    fireEvent.click(overdose);
    fireEvent.click(overdose);
    await waitFor(() => expect(location.hash).toMatch(/^#\/incident\//));
    expect(await screen.findByText("2 waiting to send")).toBeTruthy();
  });

  it("sends a refused check-in again without its code when the worker chooses to", async () => {
    const sent: Record<string, unknown>[] = [];
    routeFetch({
      ...signedInAtHarbour(),
      "GET /api/v1/sites/harbour/floor": { status: 200, body: floorOf() },
      "POST /api/v1/participants/lookup": { status: 503 },
      "POST /api/v1/visits/": (init) => {
        const body = JSON.parse(String(init.body ?? "{}")) as Record<string, unknown>;
        sent.push(body);
        return "code" in body
          ? { status: 400, body: { detail: "Some fields need attention.", fields: { code: ["Use 3 to 16 letters or digits."] } } }
          : { status: 201, body: { id: body["id"] } };
      },
    });
    render(<App lang="en" />);
    fireEvent.click(await screen.findByRole("button", { name: /Booth 1/ }));
    fireEvent.input(await screen.findByLabelText("Visit code"), { target: { value: "ab" } });
    fireEvent.submit(screen.getByLabelText("Visit code").closest("form")!);
    fireEvent.click(await screen.findByRole("button", { name: "Check in to booth 1" }));
    expect(await screen.findByText("1 need a fix")).toBeTruthy();

    location.hash = "#/outbox";
    fireEvent.click(await screen.findByRole("button", { name: "Send without the code (anonymous)" }));

    expect(await screen.findByText("Everything is sent", {}, { timeout: 3000 })).toBeTruthy();
    expect(sent).toHaveLength(2);
    expect(sent[0]?.["code"]).toBe("AB");
    expect(sent[1]).not.toHaveProperty("code");
    expect(sent[1]?.["id"]).toBe(sent[0]?.["id"]);
  });

  it("asks a member of several sites which floor this tablet is on, and remembers it", async () => {
    routeFetch({
      "GET /api/v1/me": { status: 200, body: alice },
      "GET /api/v1/sites/": {
        status: 200,
        body: {
          count: 2,
          next: null,
          previous: null,
          results: [
            { ...harbour, slug: "downtown", name: "Downtown" },
            { ...harbour, slug: "east-end", name: "East End" },
          ],
        },
      },
      "GET /api/v1/sites/east-end/floor": { status: 200, body: { ...floorOf(), site: "east-end" } },
    });
    render(<App lang="en" />);

    fireEvent.click(await screen.findByRole("button", { name: /East End/ }));

    expect(await screen.findByRole("heading", { level: 1, name: "East End" })).toBeTruthy();
    expect(localStorage.getItem("vigil.site")).toBe("east-end");
  });

  it("signs out to the Login screen and forgets the user", async () => {
    const fetch = routeFetch(signedInAtHarbour());
    render(<App lang="en" />);

    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));

    expect(await screen.findByLabelText("Username")).toBeTruthy();
    expect(fetch.mock.calls.some(([input]) => String((input as Request).url ?? input).endsWith("/api/v1/auth/logout"))).toBe(true);
    expect(localStorage.getItem("vigil.user")).toBeNull();
  });

  it("warns before signing out with records not sent, and keeps them", async () => {
    routeFetch(signedInAtHarbour(), ["POST /api/v1/visits/"]);
    render(<App lang="en" />);
    fireEvent.click(await screen.findByRole("button", { name: /Booth 1/ }));
    fireEvent.click(await screen.findByRole("button", { name: "No code (anonymous)" }));
    fireEvent.click(await screen.findByRole("button", { name: "Check in to booth 1" }));
    expect(await screen.findByText(/1 waiting to send/)).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Sign out" }));

    expect(await screen.findByRole("alertdialog")).toBeTruthy();
    expect(screen.getByText(/1 record\(s\) are not sent yet/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Sign out anyway" }));
    expect(await screen.findByLabelText("Username")).toBeTruthy();
  });

  it("returns to Login with a message when the session has ended, keeping the place", async () => {
    const routes = signedInAtHarbour();
    routeFetch(routes);
    location.hash = "#/mine";
    render(<App lang="en" />);
    expect(await screen.findByRole("heading", { name: "My incidents" })).toBeTruthy();

    routeFetch({ ...routes, "GET /api/v1/sites/harbour/floor": { status: 401, body: { detail: "Not logged in." } } });
    fireEvent.click(screen.getByRole("link", { name: "Back to the floor" }));

    expect(await screen.findByText("Your session ended. Sign in again.")).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Harbour" })).toBeNull();
    expect(location.hash).toBe("#/floor");
  });

  it("opens the floor for the last user when the Wi-Fi is down at start", async () => {
    localStorage.setItem("vigil.user", JSON.stringify(staffAtHarbour));
    localStorage.setItem("vigil.sites", JSON.stringify([harbour]));
    routeFetch({}, ["*"]);
    render(<App lang="en" />);

    expect(await screen.findByRole("heading", { level: 1, name: "Harbour" })).toBeTruthy();
    expect(await screen.findByText(/No connection/)).toBeTruthy();
    expect(screen.getAllByText("Free").length).toBe(3);
  });

  it("does not open the floor offline on a tablet whose screen locked", async () => {
    localStorage.setItem("vigil.user", JSON.stringify(staffAtHarbour));
    localStorage.setItem("vigil.sites", JSON.stringify([harbour]));
    localStorage.setItem("vigil.locked", "1");
    routeFetch({}, ["*"]);
    render(<App lang="en" />);

    expect(await screen.findByLabelText("Username")).toBeTruthy();
    expect(screen.getByText(/The screen locked/)).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Harbour" })).toBeNull();
  });

  it("locks the screen after the idle time and comes back to the same place", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const fetch = routeFetch(signedInAtHarbour());
    location.hash = "#/mine";
    render(<App lang="en" />);
    expect(await screen.findByRole("heading", { name: "My incidents" })).toBeTruthy();

    vi.advanceTimersByTime(14 * 60_000);
    expect(screen.queryByLabelText("Username")).toBeNull();
    vi.advanceTimersByTime(60_000 + 5_000);

    expect(await screen.findByText(/The screen locked/)).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "My incidents" })).toBeNull();
    expect(location.hash).toBe("#/mine");
    expect(localStorage.getItem("vigil.locked")).toBe("1");
    expect(fetch.mock.calls.some(([input]) => String((input as Request).url ?? input).endsWith("/api/v1/auth/logout"))).toBe(true);
  });

  it("switches to French and remembers it", async () => {
    routeFetch({ "GET /api/v1/me": { status: 401, body: { detail: "Not logged in." } } });
    render(<App lang="en" />);
    await screen.findByLabelText("Username");

    fireEvent.click(screen.getByRole("button", { name: "Français" }));

    await waitFor(() => expect(screen.getByLabelText("Nom d’utilisateur")).toBeTruthy());
    expect(localStorage.getItem("vigil.lang")).toBe("fr");
    expect(document.documentElement.lang).toBe("fr");
  });

  it("is dark by default and remembers the light theme", async () => {
    routeFetch({ "GET /api/v1/me": { status: 401, body: { detail: "Not logged in." } } });
    render(<App lang="en" />);
    const toggle = await screen.findByRole("button", { name: "Dark theme" });
    expect(document.documentElement.dataset["theme"]).toBe("dark");
    expect(toggle.getAttribute("aria-pressed")).toBe("true");

    fireEvent.click(toggle);

    await waitFor(() => expect(document.documentElement.dataset["theme"]).toBe("light"));
    expect(localStorage.getItem("vigil.theme")).toBe("light");
  });
});
