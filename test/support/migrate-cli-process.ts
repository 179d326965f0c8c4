import { runSwitchyard, type SwitchyardProcess } from './switchyard-process.js';

/** `switchyard migrate ...args` as a child process. */
export type MigrateCliProcess = SwitchyardProcess;

export function runMigrateCli(args: string[], env: Record<string, string> = {}): MigrateCliProcess {
  return runSwitchyard(['migrate', ...args], env);
}
