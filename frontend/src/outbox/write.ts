// Writes typed from the API's schema: the floor's records are queued through `write`, whose
// body is the request body the OpenAPI schema gives that path and method.
import type { paths } from "../api/schema";
import { API_ROOT } from "../api/transport";
import { enqueue } from "./index";
import type { OutboxMethod } from "./types";

type Operation<P extends keyof paths, M extends OutboxMethod> = paths[P][Lowercase<M>];

/** The API paths (templates such as "/api/v1/visits/{visit_id}") that answer `method`. */
export type WritePath<M extends OutboxMethod> = {
  [P in keyof paths]: [NonNullable<Operation<P, M>>] extends [never] ? never : P;
}[keyof paths];

/** The JSON body the API's schema gives `method` at `path`; `{}` when it takes none. */
export type WriteBody<P extends keyof paths, M extends OutboxMethod> =
  NonNullable<Operation<P, M>> extends { requestBody?: infer R }
    ? [NonNullable<R>] extends [never]
      ? Record<string, never>
      : NonNullable<R> extends { content: { "application/json": infer B } }
        ? B
        : never
    : never;

/**
 * Queues a write the API documents, its body typed from the schema's request body: `path` is
 * the schema's template and `params` fills its `{names}` ("/api/v1/visits/{visit_id}/check-out"
 * with `{ visit_id }`). Stored and sent like any entry (see `enqueue`).
 */
export async function write<M extends OutboxMethod, P extends WritePath<M>>(input: {
  method: M;
  path: P;
  params?: Record<string, string>;
  body: WriteBody<P, M>;
  summary: string;
  dependsOn?: string;
  /** Not sent before this many ms (see `enqueue`). */
  holdMs?: number;
}): Promise<string> {
  const filled = input.path.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = input.params?.[name];
    if (value === undefined) throw new Error(`outbox: ${input.path} needs ${name}`);
    return encodeURIComponent(value);
  });
  return enqueue({
    method: input.method,
    path: filled.slice(API_ROOT.length),
    body: input.body,
    summary: input.summary,
    ...(input.dependsOn === undefined ? {} : { dependsOn: input.dependsOn }),
    ...(input.holdMs === undefined ? {} : { holdMs: input.holdMs }),
  });
}
