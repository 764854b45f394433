// The English catalogue is the reference: every key here must exist in every other language.
export const en = {
  "app.name": "Vigil",
  "app.loading": "Loading…",

  "prefs.language.switch": "Français",
  "prefs.theme.dark": "Dark theme",

  "login.intro": "Sign in to continue.",
  "login.username": "Username",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.wrong": "Wrong username or password.",
  "login.throttled": "Too many attempts. Wait a few minutes, or ask a supervisor.",
  "login.fix": "Check the fields marked below.",

  "session.ended": "Your session ended. Sign in again.",

  "error.network": "Cannot reach the server. Check the Wi-Fi connection, then try again.",
  "error.server": "Something went wrong (error {status}). Try again, or ask a supervisor.",
  "error.retry": "Try again",

  "home.signedInAs": "Signed in as {name}",
  "home.sites": "Your sites",
  "home.noSites": "You are not a member of any site yet. Ask an administrator.",
  "home.placeholder": "The floor board will appear here.",
  "home.signOut": "Sign out",

  "role.staff": "Staff",
  "role.supervisor": "Supervisor",
  "role.analyst": "Analyst",
  "role.admin": "Administrator",
} as const;

export type MessageKey = keyof typeof en;
