// The one way to the server. The typed client (openapi-fetch, typed.ts), the session calls
// (client.ts) and the outbox all send through `transport`: the session cookie, the CSRF token
// on unsafe methods, a timeout, one error type, and one signal that the session is over (401).
import type { FieldErrors } from "./types";

export const API_ROOT = "/api/v1";
export const TIMEOUT_MS = 15_000;
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

function notifyUnauthorized(): void {
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

/** An error answer as an ApiError: `body` is the parsed JSON (see docs/api.md), or anything
 * else (an HTML page from a proxy), in which case the status text stands. */
export function apiErrorOf(response: Response, body: unknown): ApiError {
  let detail = response.statusText || `HTTP ${response.status}`;
  let fields: FieldErrors = {};
  if (typeof body === "object" && body !== null) {
    const record = body as Record<string, unknown>;
    if (typeof record["detail"] === "string") detail = record["detail"];
    fields = parseFields(record["fields"]);
  }
  return new ApiError(response.status, detail, fields);
}

/** Turns any error response into an ApiError (reads its body). */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (e.g. a 502 page from the proxy): keep the status text.
  }
  return apiErrorOf(response, body);
}

export interface TransportOptions {
  /** A 401 is this call's answer (a wrong password), not an expired session. */
  unauthorizedIsAnswer?: boolean;
}

/**
 * Sends one request to the API the same way for every caller: same-origin credentials, JSON,
 * the CSRF token on unsafe methods, and a 15 s timeout. No answer throws an ApiError of status
 * 0 ("timeout" or "network error"); a 401 tells the onUnauthorized listeners, unless the call
 * expects it. Any other answer is returned as it is, for the caller to read.
 */
export async function transport(request: Request, options: TransportOptions = {}): Promise<Response> {
  const url = new URL(request.url);
  const headers: Record<string, string> = { Accept: "application/json" };
  const type = request.headers.get("Content-Type");
  if (type) headers["Content-Type"] = type;
  const safe = SAFE_METHODS.has(request.method);
  if (!safe) {
    const token = readCookie("csrftoken");
    if (token) headers["X-CSRFToken"] = token;
  }
  // A file upload (multipart) goes as the bytes it is: read as text, a workbook's bytes would
  // not survive. JSON goes as text.
  const multipart = type?.startsWith("multipart/form-data") ?? false;
  const body: string | Blob = safe ? "" : multipart ? await request.blob() : await request.text();

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(`${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      credentials: "same-origin",
      ...((typeof body === "string" ? body : body.size) ? { body } : {}),
      signal: controller.signal,
    });
  } catch {
    throw new ApiError(0, controller.signal.aborted ? "timeout" : "network error");
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 401 && !options.unauthorizedIsAnswer) notifyUnauthorized();
  return response;
}

/** A request to the API at `path` (relative to /api/v1), for `transport`. */
export function apiRequest(method: string, path: string, body?: unknown): Request {
  const origin = typeof location === "undefined" ? "http://localhost" : location.origin;
  return new Request(new URL(`${API_ROOT}${path}`, origin), {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
  });
}
