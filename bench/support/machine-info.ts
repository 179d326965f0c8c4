/**
 * What the figures were measured on: the machine, Node, the backend libraries'
 * versions and the servers, so that a table can be read (and doubted) later.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
  nodeVersion: string;
  /** 1-minute load average when the run began (other work on the machine skews figures). */
  loadAverageAtStart: number;
}

/** The libraries whose speed is measured (the providers sit on them). */
export const MEASURED_PACKAGES = [
  'bull',
  'bullmq',
  'ioredis',
  'pg',
  'agenda',
  '@agendajs/mongo-backend',
  'mongodb',
] as const;

export function machineInfo(): MachineInfo {
  const processors = cpus();
  return {
    cores: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${platform()} ${release()}`,
    nodeVersion: process.version,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/**
 * The installed version of each measured package, read from its package.json as Node
 * resolves it from the repository root (where the providers resolve it too).
 */
export function packageVersions(): Record<string, string> {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const versions: Record<string, string> = {};
  for (const name of MEASURED_PACKAGES) {
    versions[name] = versionOf(require, name);
  }
  return versions;
}

function versionOf(require: NodeJS.Require, name: string): string {
  // Some packages do not export ./package.json: find it from the resolved entry point instead.
  try {
    let directory = dirname(require.resolve(name));
    for (let depth = 0; depth < 5; depth += 1) {
      try {
        const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (manifest.name === name && typeof manifest.version === 'string') return manifest.version;
      } catch {
        // No package.json at this level: go up.
      }
      directory = dirname(directory);
    }
  } catch {
    // Not installed.
  }
  return 'not installed';
}

/** `redis-server --version`'s version, when the harness starts one from PATH. */
export function redisServerVersion(): string {
  try {
    const output = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
    return /v=(\S+)/.exec(output)?.[1] ?? output.trim();
  } catch {
    return 'unknown';
  }
}

/**
 * The server's `hz`: how often Redis serves the timeouts of blocking commands, which
 * bounds how soon a BullMQ worker waiting for a delayed job wakes (see bench-targets.ts).
 */
export async function redisServerHz(redisUrl: string): Promise<number | undefined> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    const reply = (await redis.config('GET', 'hz')) as string[];
    const hz = Number(reply[1]);
    return Number.isFinite(hz) ? hz : undefined;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}
