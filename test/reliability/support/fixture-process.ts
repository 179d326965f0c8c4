/**
 * The reliability fixtures (`test/reliability/fixtures/*.ts`) as child processes, run
 * by provider-bull's `runScript` (line-by-line stdout, exit with a deadline, killed
 * when the test process exits). Each fixture takes one JSON argument: its settings.
 */
import { runScript, type ScriptProcess } from '../../../packages/provider-bull/test/support/script-process.js';

export type { ScriptProcess };

/** `runScript` resolves names against provider-bull's fixtures folder; this is the way from there to ours. */
const FROM_BULL_FIXTURES_TO_OURS = '../../../../test/reliability/fixtures/';

export function runReliabilityFixture(script: string, settings: object): ScriptProcess {
  return runScript(`${FROM_BULL_FIXTURES_TO_OURS}${script}`, [JSON.stringify(settings)]);
}

/** SIGKILL, and resolves once the process is gone. */
export async function killHard(process: ScriptProcess): Promise<void> {
  if (process.child.exitCode !== null || process.child.signalCode !== null) return;
  process.child.kill('SIGKILL');
  await process.exited(10_000);
}
