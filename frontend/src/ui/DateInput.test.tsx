import { fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { DateInput, isIsoDay } from "./DateInput";

describe("an ISO date input", () => {
  it("knows a real calendar date from a half-typed or impossible one", () => {
    expect(isIsoDay("2026-12-05")).toBe(true);
    expect(isIsoDay("2026-12-5")).toBe(false);
    expect(isIsoDay("12/05/2026")).toBe(false);
    expect(isIsoDay("2026-02-30")).toBe(false);
  });

  it("shows the date as YYYY-MM-DD, with the French hint in French", () => {
    const onValue = vi.fn();
    render(
      <I18nProvider lang="fr">
        <label for="d">Date</label>
        <DateInput id="d" value="2026-12-05" onValue={onValue} />
      </I18nProvider>,
    );
    const input = screen.getByLabelText("Date") as HTMLInputElement;
    expect(input.value).toBe("2026-12-05");
    expect(input.placeholder).toBe("AAAA-MM-JJ");
    fireEvent.input(input, { target: { value: "2026-13-01" } });
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(onValue).toHaveBeenLastCalledWith("2026-13-01");
  });
});
