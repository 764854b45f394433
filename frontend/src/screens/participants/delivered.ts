import { useEffect, useRef } from "preact/hooks";
import type { OutboxEntry } from "../../outbox";

/** Calls `reload` whenever the outbox delivers something (its pending count goes down). */
export function useReloadOnDelivery(pending: number, reload: () => void): void {
  const previous = useRef(pending);
  useEffect(() => {
    if (pending < previous.current) reload();
    previous.current = pending;
  }, [pending, reload]);
}

/** The queued writes to one path (e.g. "/alerts/<id>"), in sending order. */
export function entriesTo(
  entries: readonly OutboxEntry[],
  method: OutboxEntry["method"],
  path: string,
): OutboxEntry[] {
  return entries.filter((e) => e.method === method && e.path === path);
}
