import { act, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import { useRoute } from "./route";

function Probe() {
  const route = useRoute();
  return <p data-testid="route">{route.name}</p>;
}

describe("useRoute", () => {
  afterEach(() => {
    location.hash = "";
  });

  it("follows a hash changed between the first render and its listener", async () => {
    location.hash = "#/floor";
    await act(() => {
      render(<Probe />);
      // As a tap (or a test) right after a reload: before the component's effects have run.
      location.hash = "#/stock";
    });
    expect(screen.getByTestId("route").textContent).toBe("stock");
  });

  it("follows later hash changes", async () => {
    location.hash = "#/floor";
    render(<Probe />);
    await act(() => {
      location.hash = "#/shift-check";
      dispatchEvent(new HashChangeEvent("hashchange"));
    });
    expect(screen.getByTestId("route").textContent).toBe("shift-check");
  });
});
