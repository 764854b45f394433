import createClient from "openapi-fetch";
import { ApiError, apiErrorOf, transport } from "./transport";
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
export type SiteStock = Schemas["SiteStock"];
export type StockWarning = Schemas["StockWarning"];
export type StockItem = Schemas["StockItemEnum"];
export type OxygenLevel = Schemas["OxygenLevelEnum"];
export type Debrief = Schemas["Debrief"];
export type DebriefSupport = Schemas["SupportsEnum"];
export type Responders = Schemas["Responders"];
export type Import = Schemas["Import"];
export type ImportSummary = Schemas["ImportSummary"];
export type ImportKind = Schemas["ImportKind"];

/** How an incident ended, in the order the recorder and the review offer them. */
export const OUTCOMES: Outcome[] = [
  "recovered_on_site",
  "transported",
  "declined_transport",
  "left_against_advice",
  "deceased",
  "unknown",
];

/** The typed client: every path, parameter and body of the OpenAPI schema, sent by `transport`. */
export const api = createClient<paths>({
  baseUrl: typeof location === "undefined" ? "http://localhost" : location.origin,
  fetch: (request) => transport(request),
});

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

async function settle<T>(pending: Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await pending;
  } catch (caught) {
    throw caught instanceof ApiError ? caught : new ApiError(0, String(caught));
  }
}

/** The data of a successful answer, or the answer's error as an ApiError. */
export async function call<T>(pending: Promise<Result<T>>): Promise<NonNullable<T>> {
  const { data, error, response } = await settle(pending);
  if (response.ok && data !== undefined && data !== null) return data as NonNullable<T>;
  throw apiErrorOf(response, error);
}

/** Nothing but success (204, no body), or the answer's error as an ApiError. */
export async function done(pending: Promise<Result<unknown>>): Promise<void> {
  const { error, response } = await settle(pending);
  if (!response.ok) throw apiErrorOf(response, error);
}
