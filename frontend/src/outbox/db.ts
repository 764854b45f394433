import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { OutboxEntry } from "./types";

export const DB_NAME = "vigil-outbox";
export const STORE = "entries";

interface OutboxSchema extends DBSchema {
  entries: { key: string; value: OutboxEntry; indexes: { seq: number } };
  /** Holds the last seq given, so seq keeps growing even after the store empties. */
  meta: { key: string; value: number };
}

let connection: Promise<IDBPDatabase<OutboxSchema>> | null = null;

function db(): Promise<IDBPDatabase<OutboxSchema>> {
  connection ??= openDB<OutboxSchema>(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore(STORE, { keyPath: "key" }).createIndex("seq", "seq", { unique: true });
      database.createObjectStore("meta");
    },
    // Another tab (a newer build) wants to upgrade: let it, and reopen on next use.
    blocking() {
      void closeDb();
    },
    terminated() {
      connection = null;
    },
  });
  return connection;
}

export async function closeDb(): Promise<void> {
  const open = connection;
  connection = null;
  if (open) (await open).close();
}

/** Stores a new entry with the next seq, in one transaction (safe across tabs). */
export async function addEntry(entry: Omit<OutboxEntry, "seq">): Promise<OutboxEntry> {
  const tx = (await db()).transaction([STORE, "meta"], "readwrite");
  const seq = ((await tx.objectStore("meta").get("seq")) ?? 0) + 1;
  const stored: OutboxEntry = { ...entry, seq };
  await Promise.all([tx.objectStore("meta").put(seq, "seq"), tx.objectStore(STORE).add(stored), tx.done]);
  return stored;
}

/** Every entry of every user, in seq order. */
export async function allEntries(): Promise<OutboxEntry[]> {
  return (await db()).getAllFromIndex(STORE, "seq");
}

export async function getEntry(key: string): Promise<OutboxEntry | undefined> {
  return (await db()).get(STORE, key);
}

/** Rewrites an entry only if it still exists (it may have been delivered or discarded meanwhile). */
export async function updateEntry(key: string, change: (entry: OutboxEntry) => OutboxEntry): Promise<boolean> {
  const tx = (await db()).transaction(STORE, "readwrite");
  const entry = await tx.store.get(key);
  if (entry) await tx.store.put(change(entry));
  await tx.done;
  return entry !== undefined;
}

export async function deleteEntry(key: string): Promise<void> {
  await (await db()).delete(STORE, key);
}
