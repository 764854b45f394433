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

const { TurnAwaysToday } = await import("./TurnAwaysToday");

const idle: OutboxState = { pending: 0, parked: [], otherUsers: 0, needsLogin: false, online: true, sending: false };
const LATE = "c1e2b3c4-0000-4000-8000-000000000003";
const EARLY = "c1e2b3c4-0000-4000-8000-000000000004";

function turnAway(id: string, reason: string, at: string) {
  return { id, site: "harbour", participant: null, reason, at, waitlist_entry: null, voided: false, version: 1 };
}

function show(entries: OutboxEntry[] = []) {
  outboxState = { state: idle, entries };
  const results = [turnAway(LATE, "intoxication", "2026-12-05T15:40:00Z"), turnAway(EARLY, "capacity", "2026-12-05T14:05:00Z")];
  routeFetch({
    "GET /api/v1/turnaways/": { status: 200, body: { count: results.length, next: null, previous: null, results } },
  });
  render(
    <I18nProvider lang="en">
      <TurnAwaysToday site={harbour as unknown as Site} />
    </I18nProvider>,
  );
}

beforeEach(() => enqueue.mockClear());
afterEach(() => vi.unstubAllGlobals());

describe("TurnAwaysToday", () => {
  it("lists today's turn-aways as the server orders them and voids one with a reason", async () => {
    show();

    const list = await screen.findByTestId("turnaways-today");
    await waitFor(() => expect(list.textContent).toContain("Too intoxicated"));
    expect(list.textContent?.indexOf("Too intoxicated")).toBeLessThan(list.textContent?.indexOf("No booth free") ?? 0);
    fireEvent.click(screen.getAllByRole("button", { name: /Void the turn-away of/ })[1]!);
    fireEvent.click(screen.getByRole("button", { name: "Void the turn-away" }));
    expect(screen.getByText("Say why this turn-away is voided.")).toBeTruthy();
    fireEvent.input(screen.getByLabelText("Why it is voided"), { target: { value: "Recorded twice" } });
    fireEvent.click(screen.getByRole("button", { name: "Void the turn-away" }));

    await waitFor(() => expect(enqueue).toHaveBeenCalledTimes(1));
    expect(enqueue.mock.calls[0]?.[0]).toMatchObject({
      path: `/turnaways/${EARLY}/void`,
      body: { reason: "Recorded twice" },
    });
  });

  it("hides a turn-away whose void waits in the outbox", async () => {
    const queued = { key: "k", path: `/turnaways/${EARLY}/void`, method: "POST", body: {} } as unknown as OutboxEntry;
    show([queued]);

    const list = await screen.findByTestId("turnaways-today");
    await waitFor(() => expect(list.textContent).toContain("Too intoxicated"));
    expect(list.textContent).not.toContain("No booth free");
  });
});
