import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import type { Site } from "../../api";
import { I18nProvider } from "../../i18n";
import { harbour, routeFetch } from "../../test-utils";
import { Lockouts } from "./Lockouts";

const LOCKED = { username: "sam", display_name: "Sam", locked_until: "2026-12-04T17:00:00Z" };

let lifts = 0;

function show(results: unknown[]) {
  lifts = 0;
  const fetch = routeFetch({
    "GET /api/v1/sites/harbour/lockouts": { status: 200, body: { results } },
    "POST /api/v1/sites/harbour/lockouts/sam/lift": () => {
      lifts += 1;
      return { status: 204 };
    },
  });
  const view = render(
    <I18nProvider lang="en">
      <Lockouts site={harbour as unknown as Site} />
    </I18nProvider>,
  );
  return { fetch, view };
}

describe("Lockouts", () => {
  it("shows nothing when nobody is locked out", async () => {
    const { fetch, view } = show([]);

    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    expect(view.container.textContent).toBe("");
  });

  it("lifts a lockout and says so", async () => {
    show([LOCKED]);

    fireEvent.click(await screen.findByRole("button", { name: "Unlock Sam" }));

    expect(await screen.findByText("Sam can sign in again.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Unlock Sam" })).toBeNull();
    expect(lifts).toBe(1);
  });
});
