/**
 * The mocha run of `npm test`, in processes side by side: everything else, and the
 * migration matrix (`test/migration/migrate-jobs.test.ts`: 5,000 mixed jobs copied and
 * moved between every pair of providers, a third of the suite's work) in
 * `MATRIX_SHARES` shares of its pairs. In one process the matrix ran on alone for
 * minutes after the rest had ended, one core busy and the other idle; in shares, the
 * processes end close together. The rest prints as it runs; each share prints whole
 * when it ends. The last line adds them up in the form CI reads: "N passed, N failed".
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
const MATRIX_SHARES = 2;
const SUMMARY = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m;

interface GroupResult {
  output: string;
  summary: { passed: number; failed: number; skipped: number } | undefined;
  code: number;
}

function runGroup(
  mochaArguments: string[],
  coverage: boolean,
  live: boolean,
  environment: NodeJS.ProcessEnv = {},
): Promise<GroupResult> {
  const bin = (name: string) => `${root}node_modules/.bin/${name}`;
  const [command, args] = coverage
    ? [bin('c8'), ['--reporter=none', '--clean=false', bin('mocha'), ...mochaArguments]]
    : [bin('mocha'), mochaArguments];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
const shares = Array.from({ length: MATRIX_SHARES }, (_, index) => `${index + 1}/${MATRIX_SHARES}`);
const [rest, ...matrix] = await Promise.all([
  runGroup(['--ignore', MATRIX], coverage, true),
  ...shares.map((share) =>
    runGroup(['--config', 'test/migration/matrix.mocharc.json'], coverage, false, {
      SWITCHYARD_MATRIX_SHARD: share,
    }),
  ),
]);
matrix.forEach((group, index) => {
  process.stdout.write(`\n--- ${MATRIX}, share ${shares[index]} (run beside the rest) ---\n${group.output}\n`);
});
const groups: [string, GroupResult][] = [
  ['the rest', rest],
  ...matrix.map((group, index): [string, GroupResult] => [`the migration matrix, share ${shares[index]}`, group]),
];

let passed = 0;
let failed = 0;
let skipped = 0;
for (const [name, group] of groups) {
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
process.exit(groups.every(([, group]) => group.code === 0) && failed === 0 ? 0 : 1);
