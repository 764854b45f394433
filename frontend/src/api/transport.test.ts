import { afterEach, describe, expect, it, vi } from "vitest";
import { headersOf, mockFetch, requestOf } from "../test-utils";
import { ApiError, onUnauthorized, TIMEOUT_MS } from "./transport";
import { api, call } from "./typed";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the transport under the typed client", () => {
  it("sends a typed write with the session cookie, JSON and the CSRF token", async () => {
    document.cookie = "csrftoken=tok456";
    const fetch = mockFetch({ status: 202, body: { site: "harbour", date: "2026-11-10", requested_at: "x" } });

    await call(api.POST("/api/v1/reports/recompute", { body: { site: "harbour", date: "2026-11-10" } }));

    const { url, init } = requestOf(fetch);
    expect(url).toBe("/api/v1/reports/recompute");
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("same-origin");
    expect(init.signal).toBeInstanceOf(AbortSignal);
    expect(headersOf(init)).toMatchObject({ "Content-Type": "application/json", "X-CSRFToken": "tok456" });
    expect(JSON.parse(String(init.body))).toEqual({ site: "harbour", date: "2026-11-10" });
  });

  it("gives up on a request that hangs, as a timeout with status 0", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    vi.stubGlobal(
      "fetch",
      vi.fn<typeof fetch>(
        (_input, init) =>
          new Promise((_resolve, reject) => {
            init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
          }),
      ),
    );

    const pending = call(api.GET("/api/v1/me")).catch((error: unknown) => error);
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    vi.advanceTimersByTime(TIMEOUT_MS);
    const error = await pending;

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, detail: "timeout" });
  });

  it("tells the app once that the session is over when a typed read answers 401", async () => {
    mockFetch({ status: 401, body: { detail: "Not logged in.", fields: {} } });
    const expired = vi.fn();
    const unsubscribe = onUnauthorized(expired);

    await expect(call(api.GET("/api/v1/sites/"))).rejects.toMatchObject({ status: 401 });

    expect(expired).toHaveBeenCalledTimes(1);
    unsubscribe();
  });
});
