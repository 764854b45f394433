import type { Role, Site } from "../../api";

// Being built: replaced by the real screen before this lands.
export function ReportsScreen({ sites, site, role }: { sites: Site[]; site: Site; role: Role }) {
  void [sites, site, role];
  return <main class="screen" />;
}
