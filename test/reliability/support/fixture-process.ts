/**
 * The reliability fixtures (`test/reliability/fixtures/*.ts`) as child processes, run
 * by the harness's `runScript` (line-by-line stdout, exit with a deadline, killed
 * when the test process exits). Each fixture takes one JSON argument: its settings.
 */
import { runScript, type ScriptProcess } from '../../support/script-process.js';

export type { ScriptProcess };

export function runReliabilityFixture(script: string, settings: object): ScriptProcess {
  return runScript(new URL(`../fixtures/${script}`, import.meta.url), [JSON.stringify(settings)]);
}

/** SIGKILL, and resolves once the process is gone. */
export async function killHard(process: ScriptProcess): Promise<void> {
  if (process.child.exitCode !== null || process.child.signalCode !== null) return;
  process.child.kill('SIGKILL');
  await process.exited(10_000);
}
