// The session's types, kept by hand because the login and /me calls run before anything else
// and their tests mock them; every other type comes from the OpenAPI schema (typed.ts).

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
  /** The session ends after this many idle minutes; the screen locks then. */
  idle_minutes?: number;
}

export interface LoginResponse {
  user: User;
}

/** Field name → messages, as in the API's error body. */
export type FieldErrors = Record<string, string[]>;
