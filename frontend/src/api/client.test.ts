import { afterEach, describe, expect, it, vi } from "vitest";
import { alice, headersOf, mockFetch, mockFetchOffline, requestOf } from "../test-utils";
import { ApiError, errorFromResponse, login, logout, me, onUnauthorized } from "./client";

afterEach(() => {
  vi.unstubAllGlobals();
});

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("api client", () => {
  it("sends the CSRF token on POST", async () => {
    document.cookie = "csrftoken=tok%3D123";
    const fetch = mockFetch({ status: 200, body: { user: alice } });

    const user = await login("alice", "secret");

    expect(user).toEqual(alice);
    const { url, init } = requestOf(fetch);
    expect(url).toBe("/api/v1/auth/login");
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("same-origin");
    expect(headersOf(init)["X-CSRFToken"]).toBe("tok=123");
    expect(headersOf(init)["Content-Type"]).toBe("application/json");
    expect(JSON.parse(String(init.body))).toEqual({ username: "alice", password: "secret" });
  });

  it("fetches the CSRF cookie before signing in when it has none", async () => {
    document.cookie = "csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
    const fetch = mockFetch({ status: 204 }, { status: 200, body: { user: alice } });

    await login("alice", "secret");

    expect(requestOf(fetch, 0).url).toBe("/api/v1/auth/csrf");
    expect(requestOf(fetch, 0).init.method).toBe("GET");
    expect(requestOf(fetch, 1).url).toBe("/api/v1/auth/login");
  });

  it("does not send the CSRF token on GET", async () => {
    document.cookie = "csrftoken=tok123";
    const fetch = mockFetch({ status: 200, body: alice });

    expect(await me()).toEqual(alice);

    const { url, init } = requestOf(fetch);
    expect(url).toBe("/api/v1/me");
    expect(init.method).toBe("GET");
    expect(init.credentials).toBe("same-origin");
    expect(headersOf(init)).not.toHaveProperty("X-CSRFToken");
    expect(init.body).toBeUndefined();
  });

  it("treats 204 from logout as success", async () => {
    mockFetch({ status: 204 });
    await expect(logout()).resolves.toBeUndefined();
  });

  it("turns an error body into a typed error with status, detail and fields", async () => {
    mockFetch({
      status: 400,
      body: { detail: "Invalid input.", fields: { username: ["This field is required."] } },
    });

    const error = await caught(login("", "x"));

    expect(error.status).toBe(400);
    expect(error.detail).toBe("Invalid input.");
    expect(error.fields).toEqual({ username: ["This field is required."] });
  });

  it("keeps the status text when the error body is not JSON", async () => {
    const error = await errorFromResponse(
      new Response("<h1>Bad Gateway</h1>", { status: 502, statusText: "Bad Gateway" }),
    );
    expect(error.status).toBe(502);
    expect(error.detail).toBe("Bad Gateway");
    expect(error.fields).toEqual({});
  });

  it("reports a network failure as status 0", async () => {
    mockFetchOffline();
    const error = await caught(me());
    expect(error.status).toBe(0);
    expect(error.isNetwork).toBe(true);
  });

  it("maps 401 to an ApiError and tells the session listeners", async () => {
    mockFetch({ status: 401, body: { detail: "Not logged in." } });
    const expired = vi.fn();
    const unsubscribe = onUnauthorized(expired);

    const error = await caught(me());

    expect(error.status).toBe(401);
    expect(error.detail).toBe("Not logged in.");
    expect(expired).toHaveBeenCalledTimes(1);
    unsubscribe();
  });

  it("does not report a wrong password as an expired session", async () => {
    mockFetch({ status: 401, body: { detail: "Wrong username or password." } });
    const expired = vi.fn();
    const unsubscribe = onUnauthorized(expired);

    const error = await caught(login("alice", "wrong"));

    expect(error.status).toBe(401);
    expect(expired).not.toHaveBeenCalled();
    unsubscribe();
  });
});
