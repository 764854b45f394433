// Hand-written from docs API.md (Session). To be replaced by types generated from the
// OpenAPI schema (/api/schema/) once the backend publishes it.

export type Role = "staff" | "supervisor" | "analyst" | "admin";

export interface Membership {
  /** Site slug. */
  site: string;
  site_name: string;
  role: Role;
}

export interface User {
  username: string;
  display_name: string;
  memberships: Membership[];
}

export interface LoginResponse {
  user: User;
}

/** Field name → messages, as in the API's error body. */
export type FieldErrors = Record<string, string[]>;
