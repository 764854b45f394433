import { useCallback, useEffect, useState } from "preact/hooks";

export type Theme = "dark" | "light";
const STORAGE_KEY = "vigil.theme";

/** Dark unless the user chose light on this device: the floor is dim and shifts run at night. */
export function initialTheme(): Theme {
  try {
    return localStorage.getItem(STORAGE_KEY) === "light" ? "light" : "dark";
  } catch {
    return "dark";
  }
}

export function useTheme(): [Theme, (theme: Theme) => void] {
  const [theme, setThemeState] = useState<Theme>(initialTheme);

  useEffect(() => {
    document.documentElement.dataset["theme"] = theme;
  }, [theme]);

  const setTheme = useCallback((next: Theme) => {
    setThemeState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered; still applied for this page.
    }
  }, []);

  return [theme, setTheme];
}
