import type { MessageKey } from "./en";

// Typed as a complete record: a missing key is a compile error. Wording is gender-neutral
// (roles named by function, "la supervision") rather than using middle-dot forms.
export const fr: Record<MessageKey, string> = {
  "app.name": "Vigil",
  "app.loading": "Chargement…",

  "prefs.language.switch": "English",
  "prefs.theme.dark": "Thème sombre",

  "login.intro": "Connectez-vous pour continuer.",
  "login.username": "Nom d’utilisateur",
  "login.password": "Mot de passe",
  "login.submit": "Se connecter",
  "login.wrong": "Nom d’utilisateur ou mot de passe incorrect.",
  "login.throttled": "Trop de tentatives. Attendez quelques minutes ou adressez-vous à la supervision.",
  "login.fix": "Vérifiez les champs indiqués ci‑dessous.",

  "session.ended": "Votre session a pris fin. Reconnectez-vous.",

  "error.network": "Le serveur est injoignable. Vérifiez la connexion Wi-Fi, puis réessayez.",
  "error.server":
    "Une erreur s’est produite (erreur {status}). Réessayez ou adressez-vous à la supervision.",
  "error.retry": "Réessayer",

  "home.signedInAs": "Session ouverte\u00a0: {name}",
  "home.sites": "Vos sites",
  "home.noSites": "Vous n’êtes membre d’aucun site pour l’instant. Adressez-vous à l’administration.",
  "home.placeholder": "Le tableau du plancher s’affichera ici.",
  "home.signOut": "Se déconnecter",

  "role.staff": "Intervention",
  "role.supervisor": "Supervision",
  "role.analyst": "Analyse",
  "role.admin": "Administration",
};
