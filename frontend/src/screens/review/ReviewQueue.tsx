import type { Site } from "../../api";

// Being built: replaced by the real screen before this lands.
export function ReviewQueue({ site }: { site: Site }) {
  void [site];
  return <main class="screen" />;
}
