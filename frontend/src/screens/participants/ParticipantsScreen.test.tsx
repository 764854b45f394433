import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Site } from "../../api";
import { I18nProvider } from "../../i18n";
import type { OutboxEntry, OutboxState } from "../../outbox";
import { harbour, routeFetch } from "../../test-utils";

const enqueue = vi.fn(async (_entry: unknown) => "key");
let outboxState: { state: OutboxState; entries: OutboxEntry[] };

vi.mock("../../outbox", () => ({ enqueue: (entry: unknown) => enqueue(entry) }));
vi.mock("../../state/hooks", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../state/hooks")>()),
  useOutbox: () => outboxState,
}));

const { ParticipantsScreen } = await import("./ParticipantsScreen");

const RIGHT = "0b0e0c1a-0000-4000-8000-000000000001";
const MISTYPED = "0b0e0c1a-0000-4000-8000-000000000002";
const idle: OutboxState = { pending: 0, parked: [], otherUsers: 0, needsLogin: false, online: true, sending: false };
const page = { count: 0, next: null, previous: null, results: [] };

function detail(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    site: "harbour",
    birth_year: null,
    gender: "unknown",
    version: 3,
    first_seen_at: "2026-11-30T14:00:00Z",
    visits_count: 2,
    last_visit_at: null,
    incidents_count: 0,
    services_count: 1,
    referrals_count: 1,
    open_referrals_count: 1,
    last_overdose_at: null,
    seen_at_other_sites: 0,
    ...overrides,
  };
}

function serve(lookupBodies: unknown[] = []) {
  const bodies: string[] = [];
  const fetch = routeFetch({
    "POST /api/v1/participants/lookup": (init) => {
      bodies.push(String(init.body ?? ""));
      return { status: 200, body: lookupBodies.shift() };
    },
    [`GET /api/v1/participants/${RIGHT}`]: { status: 200, body: detail(RIGHT) },
    [`GET /api/v1/participants/${MISTYPED}`]: {
      status: 200,
      body: detail(MISTYPED, { visits_count: 1, seen_at_other_sites: 1 }),
    },
    "GET /api/v1/visits/": { status: 200, body: page },
    "GET /api/v1/incidents/": { status: 200, body: page },
    "GET /api/v1/services/": { status: 200, body: page },
    "GET /api/v1/referrals/": { status: 200, body: page },
  });
  return { fetch, bodies };
}

function show() {
  render(
    <I18nProvider lang="en">
      <ParticipantsScreen site={harbour as unknown as Site} />
    </I18nProvider>,
  );
}

beforeEach(() => {
  enqueue.mockClear();
  outboxState = { state: idle, entries: [] };
  location.hash = "#/participants";
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the participants screen", () => {
  it("looks a code up with POST and opens the person by id: the code never reaches the URL", async () => {
    const { fetch } = serve([{ id: RIGHT, known: true, visits_count: 2, version: 3, open_referrals: [] }]);
    show();

    fireEvent.input(screen.getByLabelText("Visit code"), { target: { value: "ma-ko 1993" } });
    fireEvent.submit(screen.getByLabelText("Visit code").closest("form")!);

    await waitFor(() => expect(location.hash).toBe(`#/participants/${RIGHT}`));
    const urls = fetch.mock.calls.map(([input]) => (input instanceof Request ? input.url : String(input)));
    expect(urls.join(" ")).not.toContain("MAKO");
    expect(await screen.findByRole("heading", { name: "Visits (2)" })).toBeTruthy();
  });

  it("says so when nobody has used the code", async () => {
    serve([{ known: false, visits_count: 0, open_referrals: [] }]);
    show();

    fireEvent.input(screen.getByLabelText("Visit code"), { target: { value: "NEWCODE1" } });
    fireEvent.submit(screen.getByLabelText("Visit code").closest("form")!);

    expect(await screen.findByText("No one has used this code yet.")).toBeTruthy();
    expect(location.hash).toBe("#/participants");
  });

  it("queues a correction naming the version read, with an empty year as unknown", async () => {
    serve();
    location.hash = `#/participants/${RIGHT}`;
    show();

    fireEvent.input(await screen.findByLabelText("Birth year"), { target: { value: "1993" } });
    fireEvent.click(screen.getByRole("button", { name: "Woman" }));
    fireEvent.click(screen.getByRole("button", { name: "Save the correction" }));

    await waitFor(() =>
      expect(enqueue).toHaveBeenCalledWith({
        method: "PATCH",
        path: `/participants/${RIGHT}`,
        body: { birth_year: 1993, gender: "woman", version: 3 },
        summary: "Participant · details corrected",
      }),
    );
  });

  it("refuses a birth year that is not one", async () => {
    serve();
    location.hash = `#/participants/${RIGHT}`;
    show();

    fireEvent.input(await screen.findByLabelText("Birth year"), { target: { value: "93" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the correction" }));

    expect(await screen.findByText(/Type a year from 1900/)).toBeTruthy();
    expect(enqueue).not.toHaveBeenCalled();
  });

  it("shows what moves before a merge, needs a reason, then queues it", async () => {
    serve();
    location.hash = `#/participants/${RIGHT}/merge/${MISTYPED}`;
    show();

    const moves = await screen.findByTestId("merge-moves");
    expect(moves.textContent).toContain("1 visit(s)");
    expect(moves.textContent).toContain("1 service(s)");
    expect(screen.getByText(/also known at 1 other site/)).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Merge into this person" }));
    expect(await screen.findByText("Say why these are one person.")).toBeTruthy();
    expect(enqueue).not.toHaveBeenCalled();

    fireEvent.input(screen.getByLabelText("Why these are one person (no names)"), {
      target: { value: " 1993 typed as 1933 " },
    });
    fireEvent.click(screen.getByRole("button", { name: "Merge into this person" }));
    await waitFor(() =>
      expect(enqueue).toHaveBeenCalledWith({
        method: "POST",
        path: `/participants/${MISTYPED}/merge`,
        body: { into: RIGHT, reason: "1993 typed as 1933" },
        summary: "Participant · merge",
      }),
    );
    await waitFor(() => expect(location.hash).toBe(`#/participants/${RIGHT}?merged=${MISTYPED}`));
  });
});
