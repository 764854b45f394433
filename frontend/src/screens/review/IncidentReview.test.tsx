import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Incident, Site } from "../../api";
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

const { IncidentReview } = await import("./IncidentReview");

const ID = "6f1c2b3a-0000-4000-8000-000000000001";
const ONSET = "2025-03-01T15:00:00Z";

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: ID,
    site: "harbour",
    kind: "opioid_overdose",
    status: "submitted",
    visit: null,
    participant: null,
    booth_label: "3",
    location: "booth",
    started_at: ONSET,
    ended_at: "2025-03-01T15:20:00Z",
    signs: ["unresponsive"],
    suspected_substances: ["fentanyl"],
    outcome: "recovered_on_site",
    police_attended: false,
    responders: [],
    narrative: "Responded in booth 3.",
    narrative_warning: "",
    critical: true,
    critical_reasons: ["naloxone_and_ems_called"],
    review_due_at: "2025-03-03T15:00:00Z",
    overdue: false,
    naloxone_doses: 1,
    naloxone_total_mg: 0.4,
    minutes_to_first_naloxone: 2,
    ems_called: true,
    ems_response_minutes: 9,
    duration_minutes: 20,
    actions: [
      {
        id: "a1",
        incident: ID,
        kind: "naloxone",
        at: "2025-03-01T15:02:00Z",
        dose_mg: 0.4,
        route: "IM",
        spo2: null,
        resp_rate: null,
        backdated: false,
        voided: false,
        void_reason: "",
        received_at: "2025-03-01T15:02:01Z",
        created_by: "alice",
      },
    ],
    submitted_at: "2025-03-01T15:30:00Z",
    submitted_by: "alice",
    reviewed_at: null,
    reviewed_by: null,
    review_comment: "",
    backdated: false,
    voided: false,
    void_reason: "",
    version: 4,
    received_at: ONSET,
    updated_at: ONSET,
    created_by: "alice",
    reviews: [],
    history: [],
    ...overrides,
  } as Incident;
}

const idle: OutboxState = { pending: 0, parked: [], otherUsers: 0, needsLogin: false, online: true, sending: false };

function show(found: Incident) {
  routeFetch({ [`GET /api/v1/incidents/${ID}`]: { status: 200, body: found } });
  render(
    <I18nProvider lang="en">
      <IncidentReview site={harbour as unknown as Site} id={ID} />
    </I18nProvider>,
  );
}

beforeEach(() => {
  enqueue.mockClear();
  outboxState = { state: idle, entries: [] };
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the incident review page", () => {
  it("shows the incident with its figures and its timeline", async () => {
    show(incident());
    expect(await screen.findByRole("heading", { level: 1, name: "Opioid overdose · Booth 3" })).toBeTruthy();
    expect(screen.getByTestId("figures").textContent).toContain("0.4 mg");
    expect(screen.getByTestId("timeline").textContent).toContain("+2:00");
    expect(screen.getByRole("img", { name: /drawn to scale/ })).toBeTruthy();
  });

  it("refuses to return an incident without a comment", async () => {
    show(incident());
    fireEvent.click(await screen.findByRole("button", { name: "Return to the staff" }));
    expect(await screen.findByText("Say what needs fixing before returning it.")).toBeTruthy();
    expect(enqueue).not.toHaveBeenCalled();

    fireEvent.input(screen.getByLabelText("Comment for the staff"), { target: { value: " Add the end time. " } });
    fireEvent.click(screen.getByRole("button", { name: "Return to the staff" }));
    await waitFor(() =>
      expect(enqueue).toHaveBeenCalledWith({
        method: "POST",
        path: `/incidents/${ID}/review`,
        body: { decision: "return", comment: "Add the end time." },
        summary: "Review · returned",
      }),
    );
  });

  it("queues an approval through the outbox", async () => {
    show(incident());
    fireEvent.click(await screen.findByRole("button", { name: "Approve" }));
    await waitFor(() =>
      expect(enqueue).toHaveBeenCalledWith(
        expect.objectContaining({ path: `/incidents/${ID}/review`, body: { decision: "approve", comment: "" } }),
      ),
    );
  });

  it("shows what is queued for this incident instead of the decision, and a refusal with the server's words", async () => {
    const entry = (status: "pending" | "parked", path: string): OutboxEntry => ({
      key: `${status}-${path}`,
      seq: 1,
      user: "bob",
      method: "POST",
      path,
      body: {},
      summary: "Review · approved",
      createdAt: ONSET,
      attempts: 1,
      nextAttemptAt: 0,
      status,
      ...(status === "parked"
        ? { error: { status: 409, detail: "This incident is not waiting for review.", fields: {} } }
        : {}),
    });
    outboxState = {
      state: { ...idle, pending: 3 },
      entries: [
        entry("pending", `/incidents/${ID}/review`),
        entry("parked", `/incidents/${ID}`),
        entry("pending", "/incidents/another-one/review"),
      ],
    };
    show(incident());
    expect((await screen.findByTestId("review-queued")).textContent).toContain("1 change(s)");
    expect(screen.getByTestId("review-parked").textContent).toContain("This incident is not waiting for review.");
    expect(screen.queryByRole("button", { name: "Approve" })).toBeNull();
  });

  it("amends an approved incident with a reason, sending only what changed and the version read", async () => {
    show(incident({ status: "approved" }));
    fireEvent.click(await screen.findByRole("button", { name: "Amend" }));
    fireEvent.click(screen.getByRole("button", { name: "Police attended" }));
    fireEvent.click(screen.getByRole("button", { name: "Save the amendment" }));
    expect(await screen.findByText("Say why you are amending the approved record.")).toBeTruthy();
    expect(enqueue).not.toHaveBeenCalled();

    fireEvent.input(screen.getByLabelText("Why it is amended"), { target: { value: "Police came later." } });
    fireEvent.click(screen.getByRole("button", { name: "Save the amendment" }));
    await waitFor(() =>
      expect(enqueue).toHaveBeenCalledWith({
        method: "PATCH",
        path: `/incidents/${ID}`,
        body: { police_attended: true, reason: "Police came later.", version: 4 },
        summary: "Incident · amended",
      }),
    );
  });
});
