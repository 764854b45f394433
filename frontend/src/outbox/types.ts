export type OutboxMethod = "POST" | "PATCH";

export interface OutboxError {
  status: number;
  detail: string;
  fields: Record<string, string[]>;
}

export interface OutboxEntry {
  /** The entry's own UUID. */
  key: string;
  /** Sending order (FIFO), never reused. */
  seq: number;
  /** Who queued it: it is sent only while that user is signed in. */
  user: string;
  method: OutboxMethod;
  /** Relative to /api/v1, e.g. "/visits/". */
  path: string;
  body: Record<string, unknown>;
  /** Short text for the pending list; never a visit code. */
  summary: string;
  /** Key of an earlier entry that must be delivered first. */
  dependsOn?: string;
  createdAt: string;
  attempts: number;
  /** Epoch ms. */
  nextAttemptAt: number;
  status: "pending" | "parked";
  /** Why it is parked (the server's message), or the last transient failure. */
  error?: OutboxError;
}

export interface OutboxState {
  /** Undelivered entries of the current user (pending + parked). */
  pending: number;
  /** Entries waiting for the worker to fix. */
  parked: OutboxEntry[];
  /** Undelivered entries queued by other users of this tablet. */
  otherUsers: number;
  /** A 401 paused sending; the queue is kept. */
  needsLogin: boolean;
  online: boolean;
  sending: boolean;
}
