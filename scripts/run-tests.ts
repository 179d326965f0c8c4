/**
 * The mocha run of `npm test`, in two processes side by side: the migration matrix
 * (`test/migration/migrate-jobs.test.ts`: 5,000 mixed jobs copied and moved between
 * every pair of providers, most of the suite's time, spent waiting on servers) and
 * everything else. The rest prints as it runs; the matrix prints whole when it ends.
 * The last line adds both up in the form CI reads: "N passed, N failed".
 *
 *   node --import tsx scripts/run-tests.ts [--coverage]
 *
 * `--coverage`: each process under c8, into one coverage directory (emptied first).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const MATRIX = 'test/migration/migrate-jobs.test.ts';
const SUMMARY = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m;

interface GroupResult {
  output: string;
  summary: { passed: number; failed: number; skipped: number } | undefined;
  code: number;
}

function runGroup(mochaArguments: string[], coverage: boolean, live: boolean): Promise<GroupResult> {
  const bin = (name: string) => `${root}node_modules/.bin/${name}`;
  const [command, args] = coverage
    ? [bin('c8'), ['--reporter=none', '--clean=false', bin('mocha'), ...mochaArguments]]
    : [bin('mocha'), mochaArguments];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk: Buffer, stream: NodeJS.WriteStream) => {
      output += chunk.toString();
      if (live) stream.write(chunk);
    };
    child.stdout.on('data', (chunk: Buffer) => take(chunk, process.stdout));
    child.stderr.on('data', (chunk: Buffer) => take(chunk, process.stderr));
    child.on('error', reject);
    child.on('close', (code) => {
      // The last summary line: the reporter prints it once, after everything else.
      const lines = [...output.matchAll(new RegExp(SUMMARY.source, 'gm'))];
      const last = lines.at(-1);
      resolve({
        output,
        code: code ?? 1,
        summary:
          last === undefined
            ? undefined
            : { passed: Number(last[1]), failed: Number(last[2]), skipped: Number(last[3] ?? 0) },
      });
    });
  });
}

const coverage = process.argv.includes('--coverage');
if (coverage) rmSync(`${root}coverage/tmp`, { recursive: true, force: true });
const [rest, matrix] = await Promise.all([
  runGroup(['--ignore', MATRIX], coverage, true),
  runGroup(['--config', 'test/migration/matrix.mocharc.json'], coverage, false),
]);
process.stdout.write(`\n--- ${MATRIX} (run beside the rest) ---\n${matrix.output}\n`);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const [name, group] of [
  ['the rest', rest],
  ['the migration matrix', matrix],
] as const) {
  if (group.summary === undefined) {
    console.log(`${name} ended before reporting (exit code ${group.code}): counted as one failure`);
    failed += 1;
    continue;
  }
  passed += group.summary.passed;
  failed += group.summary.failed;
  skipped += group.summary.skipped;
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(rest.code === 0 && matrix.code === 0 && failed === 0 ? 0 : 1);
