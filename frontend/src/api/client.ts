// The session's calls: sign in, sign out, who is signed in. Sent like every other call, by the
// typed client over the one transport (transport.ts).
import { readCookie, transport } from "./transport";
import { api, call, done } from "./typed";
import type { User } from "./types";

export { ApiError, errorFromResponse, onUnauthorized } from "./transport";

export async function login(username: string, password: string): Promise<User> {
  // Login needs the CSRF token like every unsafe call; the page that served the app set the
  // cookie, unless it has been cleared since.
  if (!readCookie("csrftoken")) await done(api.GET("/api/v1/auth/csrf"));
  const answer = await call(
    api.POST("/api/v1/auth/login", {
      body: { username, password },
      // A wrong password answers 401: an answer to show, not an expired session.
      fetch: (request) => transport(request, { unauthorizedIsAnswer: true }),
    }),
  );
  return answer.user;
}

export function logout(): Promise<void> {
  return done(api.POST("/api/v1/auth/logout"));
}

export function me(): Promise<User> {
  return call(api.GET("/api/v1/me"));
}
