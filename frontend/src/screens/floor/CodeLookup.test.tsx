import "fake-indexeddb/auto";
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../../app";
import { closeOutbox, entriesForUser, stopOutbox } from "../../outbox";
import { floorOf, harbour, routeFetch, staffAtHarbour } from "../../test-utils";

beforeEach(() => {
  vi.stubGlobal("indexedDB", new IDBFactory());
  localStorage.clear();
});

afterEach(async () => {
  stopOutbox();
  await closeOutbox();
  vi.unstubAllGlobals();
  location.hash = "";
});

const nobody = {
  known: false,
  visits_count: 0,
  last_visit_at: null,
  birth_year: null,
  gender: null,
  open_referrals: [],
  recent_overdose: false,
  restriction: null,
  inside: null,
};

function atHarbour(lookup: unknown) {
  return routeFetch({
    "GET /api/v1/me": { status: 200, body: staffAtHarbour },
    "GET /api/v1/sites/": { status: 200, body: { count: 1, next: null, previous: null, results: [harbour] } },
    "GET /api/v1/sites/harbour/floor": { status: 200, body: floorOf({ b2: { id: "v2", minutes: 5 } }) },
    "POST /api/v1/participants/lookup": { status: 200, body: lookup },
  });
}

async function lookUp(code: string, button = "Look up") {
  fireEvent.input(await screen.findByLabelText(/^Visit code/), { target: { value: code } });
  fireEvent.click(screen.getByRole("button", { name: button }));
}

describe("the code lookup", () => {
  it("says the person is already inside, offers their booth and no second check-in", async () => {
    atHarbour({ ...nobody, id: "p1", known: true, visits_count: 4, version: 1, inside: { booth_label: "2" } });
    location.hash = "#/check-in";
    render(<App lang="en" />);

    await lookUp("MAKO1993");

    expect(await screen.findByText("Already inside — booth 2")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /^Check in/ })).toBeNull();
    expect(screen.queryByRole("group", { name: "Booth" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Go to booth 2" }));
    await waitFor(() => expect(location.hash).toBe("#/floor?booth=2"));
    const tile = await screen.findByRole("listitem", { name: "Booth 2" });
    expect(tile.classList.contains("booth-focused")).toBe(true);
  });

  it("asks before a service's unknown code makes a new person", async () => {
    atHarbour(nobody);
    location.hash = "#/service";
    render(<App lang="en" />);

    await lookUp("MAKO1939");
    expect(await screen.findByText(/No one has this code here/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Education" }));
    fireEvent.click(screen.getByRole("button", { name: "Save the service" }));
    expect(await screen.findByText(/tap “Yes, a new person”/)).toBeTruthy();
    expect(location.hash).toBe("#/service");

    fireEvent.click(screen.getByRole("button", { name: "Yes, a new person" }));
    fireEvent.click(screen.getByRole("button", { name: "Save the service" }));
    await waitFor(() => expect(location.hash).toBe("#/floor"));
    const queued = await entriesForUser();
    expect(queued.map((entry) => entry.path)).toContain("/services/");
  });

  it("asks to look a typed code up before a referral is saved", async () => {
    atHarbour(nobody);
    location.hash = "#/referral";
    render(<App lang="en" />);

    fireEvent.input(await screen.findByLabelText(/^Visit code/), { target: { value: "MAKO1993" } });
    fireEvent.click(screen.getByRole("button", { name: "Housing" }));
    fireEvent.click(screen.getByRole("button", { name: "Save the referral" }));

    expect(await screen.findByText(/Look the code up first/)).toBeTruthy();
    expect(location.hash).toBe("#/referral");
  });
});
