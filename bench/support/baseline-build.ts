/**
 * An earlier build of the providers, to be measured in the same rounds as this one
 * (`BENCH_BASELINE=<git ref> npm run bench`): the answer to "is the provider slower
 * than it was?" that two benchmark runs cannot give, because one run's ratio to its
 * raw library differs from another's by more than the changes we want to see.
 *
 * The ref's tree is extracted with `git archive` into a temporary folder (the work
 * tree and the repository's worktree list stay untouched), given this repository's
 * installed dependencies by symlinks (so both builds load the very same bull,
 * ioredis, agenda and mongodb modules), and the three provider packages with their
 * references are compiled there with this repository's TypeScript.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProviderConstructors } from './bench-backends.js';

export interface BaselineBuild {
  /** The ref as given, and the commit it named (short hash). */
  ref: string;
  commit: string;
  providers: ProviderConstructors;
  remove(): void;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const PROVIDER_PACKAGES = ['provider-bull', 'provider-agenda', 'provider-memory'] as const;

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
}

/** `<dir>/node_modules`: this repository's packages, but `@switchyard/*` pointing at the baseline's own packages. */
function linkDependencies(dir: string): void {
  const target = join(dir, 'node_modules');
  mkdirSync(join(target, '@switchyard'), { recursive: true });
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (entry !== '@switchyard') symlinkSync(join(repoRoot, 'node_modules', entry), join(target, entry));
  }
  for (const pkg of readdirSync(join(dir, 'packages'))) {
    const manifest = join(dir, 'packages', pkg, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string };
    symlinkSync(join(dir, 'packages', pkg), join(target, '@switchyard', name.replace('@switchyard/', '')));
  }
}

export async function prepareBaselineBuild(ref: string): Promise<BaselineBuild> {
  const commit = git(['rev-parse', '--short', '--verify', `${ref}^{commit}`]);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-baseline-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const archive = spawnSync('git', ['archive', '--format=tar', commit], { cwd: repoRoot, maxBuffer: 1 << 30 });
    if (archive.status !== 0) throw new Error(`git archive ${commit} failed: ${String(archive.stderr)}`);
    const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`extracting ${commit} failed: ${String(untar.stderr)}`);
    linkDependencies(dir);
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const build = spawnSync(
      process.execPath,
      [tsc, '-b', ...PROVIDER_PACKAGES.map((pkg) => join(dir, 'packages', pkg))],
      {
        encoding: 'utf8',
      },
    );
    if (build.status !== 0) throw new Error(`building ${commit}'s providers failed:\n${build.stdout}${build.stderr}`);
    const load = (pkg: (typeof PROVIDER_PACKAGES)[number]) =>
      import(pathToFileURL(join(dir, 'packages', pkg, 'dist', 'index.js')).href) as Promise<Record<string, unknown>>;
    const [bull, agenda, memory] = await Promise.all(PROVIDER_PACKAGES.map(load));
    // The earlier build's classes take the same options the benchmarks pass (redisUrl and
    // prefix; mongoUrl and processEveryMs; none): checked when they are constructed.
    return {
      ref,
      commit,
      providers: {
        BullQueueProvider: bull!.BullQueueProvider as ProviderConstructors['BullQueueProvider'],
        AgendaQueueProvider: agenda!.AgendaQueueProvider as ProviderConstructors['AgendaQueueProvider'],
        MemoryQueueProvider: memory!.MemoryQueueProvider as ProviderConstructors['MemoryQueueProvider'],
      },
      remove,
    };
  } catch (error) {
    remove();
    throw error;
  }
}
