import { runSwitchyard, type SwitchyardProcess } from './switchyard-process.js';

/** `switchyard migrate ...args` as a child process. */
export type MigrateCliProcess = SwitchyardProcess;

export function runMigrateCli(args: string[], env: Record<string, string> = {}): MigrateCliProcess {
  return runSwitchyard(['migrate', ...args], env);
}

/** One side of a migration: its provider, and the flags that say where its jobs are. */
export interface MigrateSide {
  provider: string;
  url?: string;
  prefix?: string;
  schema?: string;
}

/** `--from <provider> --from-url ... --to <provider> ...`, each flag only when given. */
export function migrateArgs(from: MigrateSide, to: MigrateSide): string[] {
  const flags = (side: 'from' | 'to', { provider, ...where }: MigrateSide) => [
    `--${side}`,
    provider,
    ...Object.entries(where).flatMap(([flag, value]) => (value === undefined ? [] : [`--${side}-${flag}`, value])),
  ];
  return [...flags('from', from), ...flags('to', to)];
}
