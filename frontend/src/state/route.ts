import { useEffect, useMemo, useState } from "preact/hooks";

/**
 * Screens live in the URL's hash (#/floor, #/incident/<id>…), so that a reload, or signing in
 * again after the screen locked, comes back to the same place. Nothing in it is personal: ids
 * only, never a visit code.
 */
export interface Route {
  name: string;
  params: string[];
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#\/?/, "").split("?");
  const [name = "floor", ...params] = path.split("/").filter(Boolean);
  return { name, params, query: new URLSearchParams(search) };
}

export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}

export function useRoute(): Route {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener("hashchange", changed);
    // A change made after the first render but before this listener (a tap just after a
    // reload) sent its event to nobody: read the hash once more.
    changed();
    return () => removeEventListener("hashchange", changed);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}
