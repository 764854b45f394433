import createClient from "openapi-fetch";
import { ApiError, notifyUnauthorized, readCookie } from "./client";
import type { components, paths } from "./schema";

/** The API's own types, generated from its OpenAPI schema (`npm run api:types`). */
export type Schemas = components["schemas"];
export type Site = Schemas["Site"];
export type Booth = Schemas["Booth"];
export type Floor = Schemas["Floor"];
export type FloorBooth = Schemas["FloorBooth"];
export type FloorVisit = Schemas["FloorVisit"];
export type FloorIncident = Schemas["FloorIncident"];
export type Alert = Schemas["Alert"];
export type Lookup = Schemas["ParticipantLookup"];
export type Incident = Schemas["IncidentDetail"];
export type IncidentSummary = Schemas["Incident"];
export type IncidentAction = Schemas["IncidentAction"];
export type Referral = Schemas["Referral"];
export type OpenReferral = Schemas["OpenReferral"];

export type Substance = Schemas["SubstanceEnum"];
export type ConsumptionRoute = Schemas["RoutesEnum"];
export type ActionKind = Schemas["IncidentActionKindEnum"];
export type NaloxoneRoute = Schemas["RouteEnum"];
export type Outcome = Schemas["OutcomeEnum"];
export type IncidentKind = Schemas["IncidentKindEnum"];
export type Location = Schemas["LocationEnum"];
export type ServiceKind = Schemas["ServiceKindEnum"];
export type ReferralCategory = Schemas["CategoryEnum"];
export type ReferralStatus = Schemas["ReferralStatusEnum"];
export type DidNotConsumeReason = Schemas["DidNotConsumeReasonEnum"];

/** How an incident ended, in the order the recorder and the review offer them. */
export const OUTCOMES: Outcome[] = [
  "recovered_on_site",
  "transported",
  "declined_transport",
  "left_against_advice",
  "deceased",
  "unknown",
];

const TIMEOUT_MS = 15_000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Adds the CSRF header and a timeout; a 401 tells the app the session is over. */
async function send(request: Request): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.set("Accept", "application/json");
  if (!SAFE_METHODS.has(request.method)) {
    const token = readCookie("csrftoken");
    if (token) headers.set("X-CSRFToken", token);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(
      new Request(request, { headers, signal: controller.signal, credentials: "same-origin" }),
    );
    if (response.status === 401) notifyUnauthorized();
    return response;
  } catch {
    throw new ApiError(0, "network error");
  } finally {
    clearTimeout(timer);
  }
}

export const api = createClient<paths>({
  baseUrl: typeof location === "undefined" ? "http://localhost" : location.origin,
  fetch: send,
});

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful answer, or the answer's error as an ApiError. */
export async function call<T>(pending: Promise<Result<T>>): Promise<NonNullable<T>> {
  let result: Result<T>;
  try {
    result = await pending;
  } catch (caught) {
    throw caught instanceof ApiError ? caught : new ApiError(0, String(caught));
  }
  const { data, error, response } = result;
  if (response.ok && data !== undefined && data !== null) return data as NonNullable<T>;
  const body = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const detail = typeof body["detail"] === "string" ? body["detail"] : response.statusText;
  const fields = (typeof body["fields"] === "object" && body["fields"] !== null
    ? body["fields"]
    : {}) as Record<string, string[]>;
  throw new ApiError(response.status, detail, fields);
}
