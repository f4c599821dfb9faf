export const cargoTargetDir: string;
export function cargo(args: string[], options?: import("node:child_process").SpawnSyncOptions): number;
