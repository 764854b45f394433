import { fireEvent, render, screen } from "@testing-library/preact";
import { beforeEach, describe, expect, it } from "vitest";
import type { Alert } from "../../api";
import { I18nProvider } from "../../i18n";
import { FloorAlerts } from "./FloorAlerts";

function alert(id: string, message: string): Alert {
  return {
    id,
    site: "harbour",
    message,
    level: "danger",
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    ended_at: null,
    active: true,
    created_at: new Date().toISOString(),
    created_by: "bob",
    version: 1,
    source: "overdose_cluster",
    evidence: {},
    network: null,
    network_sites: [],
  };
}

function board(alerts: Alert[]) {
  return (
    <I18nProvider lang="en">
      <FloorAlerts alerts={alerts} />
    </I18nProvider>
  );
}

beforeEach(() => localStorage.clear());

describe("alerts on the floor board", () => {
  it("marks nothing new on a tablet's first load, then an alert posted later until seen", () => {
    const { rerender } = render(board([alert("a1", "Wet floor by the sinks")]));
    expect(screen.queryByText("New alert")).toBeNull();

    rerender(board([alert("a1", "Wet floor by the sinks"), alert("a2", "3 overdoses in an hour")]));

    const fresh = screen.getByTestId("alert-new");
    expect(fresh.textContent).toContain("3 overdoses in an hour");
    expect(fresh.getAttribute("role")).toBe("status"); // announced, never a dialog
    fireEvent.click(screen.getByRole("button", { name: "Seen" }));
    expect(screen.queryByTestId("alert-new")).toBeNull();
    expect(screen.getAllByTestId("alert")).toHaveLength(2);
  });

  it("keeps what was seen across reloads", () => {
    const first = render(board([alert("a1", "Wet floor")]));
    first.unmount();
    render(board([alert("a1", "Wet floor")]));
    expect(screen.queryByTestId("alert-new")).toBeNull();
  });
});
