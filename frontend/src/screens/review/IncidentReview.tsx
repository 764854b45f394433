import type { Site } from "../../api";

// Being built: replaced by the real screen before this lands.
export function IncidentReview({ site, id }: { site: Site; id: string }) {
  void [site, id];
  return <main class="screen" />;
}
