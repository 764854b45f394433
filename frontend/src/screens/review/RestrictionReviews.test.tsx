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

const { RestrictionReviews, reviewProblem } = await import("./RestrictionReviews");

const idle: OutboxState = { pending: 0, parked: [], otherUsers: 0, needsLogin: false, online: true, sending: false };
const ID = "b1e2b3c4-0000-4000-8000-000000000002";

function restriction(overrides: Record<string, unknown> = {}) {
  return {
    id: ID,
    site: "harbour",
    participant: "p1",
    scope: "all_services",
    reason: "threats",
    starts_at: "2026-11-01T15:00:00Z",
    ends_at: null,
    review_at: "2026-12-01T04:59:00Z",
    until: "2026-12-01T04:59:00Z",
    note: "Shouted at the door",
    active: true,
    review_due: true,
    version: 3,
    overrides: [],
    ...overrides,
  };
}

function show(results: unknown[]) {
  const fetch = routeFetch({
    "GET /api/v1/restrictions/": { status: 200, body: { count: results.length, next: null, previous: null, results } },
  });
  const view = render(
    <I18nProvider lang="en">
      <RestrictionReviews site={harbour as unknown as Site} />
    </I18nProvider>,
  );
  return { fetch, view };
}

beforeEach(() => {
  enqueue.mockClear();
  outboxState = { state: idle, entries: [] };
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("RestrictionReviews", () => {
  it("shows nothing when no review is due", async () => {
    const { fetch, view } = show([]);

    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    expect(view.container.textContent).toBe("");
  });

  it("lists a due restriction with its reason and note, and ends it with a reason", async () => {
    show([restriction()]);

    expect(await screen.findByText(/Threats · Shouted at the door/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "End" }));
    fireEvent.click(screen.getByRole("button", { name: "End the restriction" }));
    expect(await screen.findByText("Say why the restriction ends.")).toBeTruthy();
    expect(enqueue).not.toHaveBeenCalled();

    fireEvent.input(screen.getByLabelText("Why it ends"), { target: { value: "Met with the team" } });
    fireEvent.click(screen.getByRole("button", { name: "End the restriction" }));

    await waitFor(() => expect(enqueue).toHaveBeenCalledTimes(1));
    expect(enqueue.mock.calls[0]?.[0]).toMatchObject({
      method: "POST",
      path: `/restrictions/${ID}/review`,
      body: { version: 3, outcome: "end", note: "Met with the team" },
    });
  });
});

describe("reviewProblem", () => {
  const empty = { note: "", endsOn: "", reviewOn: "" };

  it("asks for what each decision needs", () => {
    expect(reviewProblem("end", empty, true)).toBe("restrictionReview.needNote");
    expect(reviewProblem("extend", empty, true)).toBe("restrictionReview.needExtendDate");
    expect(reviewProblem("keep", empty, false)).toBe("restrictionReview.needReviewDate");
    expect(reviewProblem("keep", empty, true)).toBeNull();
    expect(reviewProblem("extend", { ...empty, endsOn: "2027-01-10" }, true)).toBeNull();
  });
});
