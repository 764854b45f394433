export { ApiError, login, logout, me, onUnauthorized } from "./client";
export type { FieldErrors, Membership, Role, User } from "./types";
export * from "./typed";
