import type { FieldErrors, LoginResponse, User } from "./types";

const API_ROOT = "/api/v1";
const TIMEOUT_MS = 15_000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Every failed call ends here. `status` is the HTTP status, or 0 when no answer came
 * (network down, timeout): screens tell "the server said no" from "no server".
 */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly fields: FieldErrors;

  constructor(status: number, detail: string, fields: FieldErrors = {}) {
    super(`${status}: ${detail}`);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.fields = fields;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/**
 * Called whenever an authenticated call answers 401 (the session expired: tablets are
 * shared and sessions end after 15 idle minutes). Returns an unsubscribe function.
 */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Tells every listener that the session is over (any call answered 401). */
export function notifyUnauthorized(): void {
  for (const listener of [...unauthorizedListeners]) listener();
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) {
      return decodeURIComponent(part.slice(eq + 1).trim());
    }
  }
  return null;
}

function parseFields(raw: unknown): FieldErrors {
  const fields: FieldErrors = {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fields;
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) {
      const messages = value.filter((m): m is string => typeof m === "string");
      if (messages.length > 0) fields[name] = messages;
    } else if (typeof value === "string") {
      fields[name] = [value];
    }
  }
  return fields;
}

/** Turns any error response (JSON per API.md, or an HTML page from a proxy) into an ApiError. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let detail = response.statusText || `HTTP ${response.status}`;
  let fields: FieldErrors = {};
  try {
    const body: unknown = await response.json();
    if (typeof body === "object" && body !== null) {
      const record = body as Record<string, unknown>;
      if (typeof record["detail"] === "string") detail = record["detail"];
      fields = parseFields(record["fields"]);
    }
  } catch {
    // Not JSON (e.g. a 502 page from the proxy): keep the status text.
  }
  return new ApiError(response.status, detail, fields);
}

interface RequestOptions {
  body?: unknown;
  /** Set for calls where 401 is an answer, not an expired session (login). */
  expectUnauthorized?: boolean;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const init: RequestInit = { method, headers, credentials: "same-origin" };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  if (!SAFE_METHODS.has(method)) {
    const token = readCookie("csrftoken");
    if (token) headers["X-CSRFToken"] = token;
  }

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  init.signal = controller.signal;

  let response: Response;
  try {
    response = await fetch(`${API_ROOT}${path}`, init);
  } catch {
    throw new ApiError(0, "network error");
  } finally {
    clearTimeout(timer);
  }

  if (!response.ok) {
    const error = await errorFromResponse(response);
    if (error.status === 401 && !options.expectUnauthorized) notifyUnauthorized();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(response.status, "invalid JSON in response");
  }
}

export async function login(username: string, password: string): Promise<User> {
  // Login needs the CSRF token like every unsafe request; the page normally set the cookie.
  if (!readCookie("csrftoken")) await request<void>("GET", "/auth/csrf");
  const data = await request<LoginResponse>("POST", "/auth/login", {
    body: { username, password },
    expectUnauthorized: true,
  });
  return data.user;
}

export function logout(): Promise<void> {
  return request<void>("POST", "/auth/logout");
}

export function me(): Promise<User> {
  return request<User>("GET", "/me");
}
