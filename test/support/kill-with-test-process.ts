import type { ChildProcess } from 'node:child_process';

/** SIGKILLs `child` if the test process exits first, so a failing test leaves no process behind. */
export function killWithTestProcess(child: ChildProcess): void {
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
}
