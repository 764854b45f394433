import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
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

const { AlertsScreen } = await import("./AlertsScreen");

const idle: OutboxState = { pending: 0, parked: [], otherUsers: 0, needsLogin: false, online: true, sending: false };
const ALERT = "a1e2b3c4-0000-4000-8000-000000000001";
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

function alert(overrides: Record<string, unknown> = {}) {
  return {
    id: ALERT,
    site: "harbour",
    message: "Benzo-positive down circulating",
    level: "warning",
    expires_at: inHours(6),
    ended_at: null,
    active: true,
    created_at: inHours(-1),
    created_by: "bob",
    version: 4,
    source: "manual",
    evidence: {},
    network: null,
    network_sites: [],
    ...overrides,
  };
}

function show(results: unknown[] = []) {
  routeFetch({
    "GET /api/v1/alerts/": { status: 200, body: { count: results.length, next: null, previous: null, results } },
  });
  render(
    <I18nProvider lang="en">
      <AlertsScreen site={harbour as unknown as Site} />
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

describe("the alerts screen", () => {
  it("queues a new notice with its own id, level and expiry", async () => {
    show();
    expect(await screen.findByText("No alert is shown on the tablets.")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Post on every tablet" }));
    expect(await screen.findByText("Write the notice.")).toBeTruthy();
    expect(enqueue).not.toHaveBeenCalled();

    fireEvent.input(screen.getByLabelText("Message"), { target: { value: "  Wet floor by the washroom " } });
    fireEvent.click(screen.getByRole("button", { name: "Info" }));
    fireEvent.click(screen.getByRole("button", { name: "2 hours" }));
    const before = Date.now();
    fireEvent.click(screen.getByRole("button", { name: "Post on every tablet" }));

    await waitFor(() => expect(enqueue).toHaveBeenCalledTimes(1));
    const entry = enqueue.mock.calls[0]![0] as { method: string; path: string; body: Record<string, string> };
    expect([entry.method, entry.path]).toEqual(["POST", "/alerts/"]);
    expect(entry.body).toMatchObject({ site: "harbour", message: "Wet floor by the washroom", level: "info" });
    expect(entry.body["id"]).toMatch(/^[0-9a-f-]{36}$/);
    const expires = Date.parse(entry.body["expires_at"]!);
    expect(expires - before).toBeGreaterThan(2 * 3_600_000 - 5_000);
    expect(expires - before).toBeLessThanOrEqual(2 * 3_600_000 + 5_000);
  });

  it("edits a shown notice naming its version, keeping the expiry unless another is chosen", async () => {
    show([alert()]);
    const item = await screen.findByRole("listitem", { name: "Benzo-positive down circulating" });

    fireEvent.click(within(item).getByRole("button", { name: "Edit" }));
    fireEvent.input(within(item).getByLabelText("Message"), { target: { value: "Benzo and xylazine" } });
    fireEvent.click(within(item).getByRole("button", { name: "Danger" }));
    fireEvent.click(within(item).getByRole("button", { name: "Save the changes" }));

    await waitFor(() =>
      expect(enqueue).toHaveBeenCalledWith({
        method: "PATCH",
        path: `/alerts/${ALERT}`,
        body: { message: "Benzo and xylazine", level: "danger", version: 4 },
        summary: "Alert · changed",
      }),
    );
  });

  it("ends a notice now, and lists ended ones apart", async () => {
    show([alert(), alert({ id: "old", message: "Nurse on site", active: false, ended_at: inHours(-2) })]);
    const item = await screen.findByRole("listitem", { name: "Benzo-positive down circulating" });
    expect(within(screen.getByTestId("alerts-active")).queryByText("Nurse on site")).toBeNull();
    expect(screen.getByRole("listitem", { name: "Nurse on site" })).toBeTruthy();

    fireEvent.click(within(item).getByRole("button", { name: "End now" }));

    await waitFor(() =>
      expect(enqueue).toHaveBeenCalledWith(
        expect.objectContaining({ method: "POST", path: `/alerts/${ALERT}/expire`, body: {} }),
      ),
    );
  });

  it("shows a queued notice as not sent yet", async () => {
    outboxState = {
      state: { ...idle, pending: 1 },
      entries: [
        {
          key: "k1",
          seq: 1,
          user: "bob",
          method: "POST",
          path: "/alerts/",
          body: { id: "x", site: "harbour", message: "Queued notice", level: "danger", expires_at: inHours(2) },
          summary: "Alert · posted",
          createdAt: inHours(0),
          attempts: 0,
          nextAttemptAt: 0,
          status: "pending",
        },
      ],
    };
    show();
    const item = await screen.findByRole("listitem", { name: "Queued notice" });
    expect(within(item).getByText("Not sent yet")).toBeTruthy();
  });
});
