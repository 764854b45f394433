import "fake-indexeddb/auto";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../../app";
import { closeOutbox, entriesForUser, stopOutbox } from "../../outbox";
import { floorOf, harbour, routeFetch, staffAtHarbour } from "../../test-utils";

beforeEach(() => {
  vi.stubGlobal("indexedDB", new IDBFactory());
  location.hash = "";
});

afterEach(async () => {
  stopOutbox();
  await closeOutbox();
  vi.unstubAllGlobals();
});

const atHarbour = (floor: unknown = floorOf()) => ({
  "GET /api/v1/me": { status: 200, body: staffAtHarbour },
  "GET /api/v1/sites/": { status: 200, body: { count: 1, next: null, previous: null, results: [harbour] } },
  "GET /api/v1/sites/harbour/floor": { status: 200, body: floor },
});

describe("the floor when the Wi-Fi drops", () => {
  it("shows every occupied booth, its timer and the alerts from the last floor, with its age", async () => {
    const floor = {
      ...floorOf({ b2: { id: "v2", minutes: 25 } }),
      alerts: [{ id: "al1", level: "danger", message: "Carfentanil in blue pills." }],
    };
    routeFetch(atHarbour(floor));
    render(<App lang="en" />);
    expect(await screen.findByText("25 min")).toBeTruthy();
    cleanup();
    stopOutbox();
    await closeOutbox();

    // A reload with no network at all.
    routeFetch({}, ["*"]);
    render(<App lang="en" />);

    expect(await screen.findByTestId("floor-as-of")).toBeTruthy();
    expect(screen.getByRole("listitem", { name: "Booth 2" })).toBeTruthy();
    expect(screen.getByText("25 min")).toBeTruthy();
    expect(screen.getByText("Carfentanil in blue pills.")).toBeTruthy();
    expect(screen.getAllByText("Free")).toHaveLength(2);
  });

  it("refreshes the floor as soon as the network returns", async () => {
    routeFetch(atHarbour(), ["GET /api/v1/sites/harbour/floor"]);
    localStorage.setItem("vigil.floor.harbour", JSON.stringify({ floor: floorOf(), at: new Date().toISOString() }));
    render(<App lang="en" />);
    expect(await screen.findByTestId("floor-as-of")).toBeTruthy();

    routeFetch(atHarbour(floorOf({ b1: { id: "v1", minutes: 3 } })));
    dispatchEvent(new Event("online"));

    expect(await screen.findByRole("listitem", { name: "Booth 1" })).toBeTruthy();
    expect(screen.queryByTestId("floor-as-of")).toBeNull();
  });
});

describe("taking a tap back", () => {
  it("undoes a check-out before it is sent: the person is still in the booth", async () => {
    const sent: string[] = [];
    routeFetch({
      ...atHarbour(floorOf({ b3: { id: "v3", minutes: 12 } })),
      "POST /api/v1/visits/v3/check-out": () => {
        sent.push("check-out");
        return { status: 200, body: {} };
      },
    });
    render(<App lang="en" />);

    fireEvent.click(await screen.findByRole("button", { name: "Check out of booth 3" }));
    expect(await screen.findByText("Checked out of booth 3")).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "Booth 3" })).toBeNull());

    fireEvent.click(await screen.findByRole("button", { name: "Undo" }));

    expect(await screen.findByRole("listitem", { name: "Booth 3" })).toBeTruthy();
    expect(await screen.findByText("Everything is sent")).toBeTruthy();
    expect(await entriesForUser()).toEqual([]);
    expect(sent).toEqual([]);
  });

  it("records a naloxone dose from the recorder's first screen and takes it back", async () => {
    routeFetch(
      {
        ...atHarbour(floorOf({ b2: { id: "v2", minutes: 4 } })),
      },
      ["POST /api/v1/incidents/", "GET /api/v1/incidents/*"],
    );
    render(<App lang="en" />);
    fireEvent.click(await screen.findByRole("button", { name: "Overdose in booth 2" }));
    expect(await screen.findByText("Tap an action: each one is recorded at once.")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Naloxone" }));
    // The dose panel takes the grid's place: its button is where the worker's hand is.
    expect(screen.queryByRole("button", { name: "Oxygen" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Record 0.4 mg IM" }));

    expect(await screen.findByText(/Last recorded: Naloxone 0.4 mg IM/)).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("timeline").textContent).toContain("Naloxone 0.4 mg IM"));
    fireEvent.click(await screen.findByRole("button", { name: "Undo" }));

    expect(await screen.findByText("Taken back: Naloxone 0.4 mg IM")).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("timeline").textContent).toBe(""));
    const paths = (await entriesForUser()).map((e) => e.path);
    expect(paths).toEqual(["/incidents/"]);
  });

  it("prefills the suspected substances from the visit and the worker as responder", async () => {
    routeFetch(atHarbour(floorOf({ b2: { id: "v2", minutes: 4 } })), ["POST /api/v1/incidents/"]);
    render(<App lang="en" />);
    fireEvent.click(await screen.findByRole("button", { name: "Overdose in booth 2" }));

    const substances = await screen.findByRole("group", { name: "Suspected substances" });
    const fentanyl = Array.from(substances.querySelectorAll("button")).find((b) => b.textContent === "Fentanyl");
    expect(fentanyl?.getAttribute("aria-pressed")).toBe("true");
    const responders = screen.getByRole("group", { name: "Responders" });
    expect(Array.from(responders.querySelectorAll("button")).map((b) => b.textContent)).toEqual(["sam"]);
  });
});

describe("a refused check-in", () => {
  it("offers the free booths in plain words instead of a raw booth id", async () => {
    const sent: Record<string, unknown>[] = [];
    routeFetch({
      ...atHarbour(floorOf({ b1: { id: "v1", minutes: 3 } })),
      "POST /api/v1/visits/": (init) => {
        const body = JSON.parse(String(init.body ?? "{}")) as Record<string, unknown>;
        sent.push(body);
        return body["booth"] === "b3"
          ? { status: 409, body: { detail: "Booth 3 is occupied.", fields: { booth: ["Booth 3 is occupied."] } } }
          : { status: 201, body: { id: body["id"] } };
      },
    });
    render(<App lang="en" />);
    fireEvent.click(await screen.findByRole("button", { name: /Booth 3/ }));
    fireEvent.click(await screen.findByRole("button", { name: "No code (anonymous)" }));
    fireEvent.click(await screen.findByRole("button", { name: "Check in to booth 3" }));
    expect(await screen.findByText("1 need a fix")).toBeTruthy();

    location.hash = "#/outbox";
    const picker = await screen.findByRole("group", { name: "Choose a free booth" });
    const labels = Array.from(picker.querySelectorAll("button")).map((b) => b.textContent);
    expect(labels).toEqual(["Booth 2"]);
    expect(screen.queryByRole("textbox")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Booth 2" }));
    fireEvent.click(screen.getByRole("button", { name: "Send again" }));

    expect(await screen.findByText("Everything is sent", {}, { timeout: 3000 })).toBeTruthy();
    expect(sent.map((body) => body["booth"])).toEqual(["b3", "b2"]);
  });
});

describe("a transported person", () => {
  it("is checked out of the booth from the recorder", async () => {
    routeFetch(atHarbour(floorOf({ b2: { id: "v2", minutes: 4 } })), [
      "POST /api/v1/incidents/",
      "POST /api/v1/visits/v2/check-out",
    ]);
    render(<App lang="en" />);
    fireEvent.click(await screen.findByRole("button", { name: "Overdose in booth 2" }));
    const outcome = await screen.findByRole("group", { name: "Outcome" });
    fireEvent.click(within(outcome).getByRole("button", { name: "Transported" }));
    fireEvent.click(await screen.findByText("Check out of booth 2"));

    await waitFor(async () =>
      expect((await entriesForUser()).map((e) => e.path)).toContain("/visits/v2/check-out"),
    );
    await waitFor(() => expect(screen.queryByText("Check out of booth 2")).toBeNull());
  });
});

describe("a returned incident", () => {
  it("opens for correction: the live action grid waits behind an explicit button", async () => {
    const returned = {
      id: "i1",
      site: "harbour",
      kind: "opioid_overdose",
      status: "returned",
      visit: null,
      booth_label: "2",
      location: "booth",
      started_at: new Date(Date.now() - 3_600_000).toISOString(),
      ended_at: new Date(Date.now() - 3_000_000).toISOString(),
      signs: ["unresponsive"],
      suspected_substances: ["fentanyl"],
      outcome: "recovered_on_site",
      police_attended: false,
      responders: ["sam"],
      narrative: "Recovered.",
      review_comment: "Add the oxygen you gave.",
      version: 2,
      actions: [],
    };
    routeFetch({ ...atHarbour(), "GET /api/v1/incidents/i1": { status: 200, body: returned } });
    location.hash = "#/incident/i1";
    render(<App lang="en" />);

    expect(await screen.findByText(/Add the oxygen you gave/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Oxygen" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Add a missed action (timed now)" }));
    expect(screen.getByRole("button", { name: "Oxygen" })).toBeTruthy();
  });
});

