// node-sqlite3-wasm ships no types; this is the part of its API the journal uses.
declare module "node-sqlite3-wasm" {
  type Value = string | number | bigint | null | Uint8Array;
  export class Database {
    constructor(path: string, options?: { fileMustExist?: boolean; readOnly?: boolean });
    exec(sql: string): void;
    run(sql: string, values?: Value[] | Record<string, Value>): { changes: number; lastInsertRowid: number | bigint };
    all(sql: string, values?: Value[] | Record<string, Value>): Record<string, Value>[];
    get(sql: string, values?: Value[] | Record<string, Value>): Record<string, Value> | undefined;
    close(): void;
    readonly isOpen: boolean;
  }
  const sqlite: { Database: typeof Database };
  export default sqlite;
}
