/**
 * One migration, alone in its process, so that its peak RSS is the migration's:
 *
 *   node bench/scenarios/migration-child.mjs --from bull --source <prefix>
 *     --to memory --target memory --redis-url redis://127.0.0.1:6379
 *
 * `--source` / `--target` are a Bull or BullMQ key prefix or a MongoDB URI (with its
 * database); `bullmq` is BullMQQueueProvider on Redis.
 * Prints one JSON line (`MigrationChildReport` in migration.ts) last.
 *
 * Plain JavaScript on the built packages, run by plain `node`: a TypeScript loader
 * in this process would add its own memory (about 40 MB) to the figure measured.
 */
import { parseArgs } from 'node:util';
import { migrateJobs } from '@switchyard/core';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { MemoryQueueProvider } from '@switchyard/provider-memory';

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    source: { type: 'string' },
    to: { type: 'string' },
    target: { type: 'string' },
    'redis-url': { type: 'string' },
    'batch-size': { type: 'string', default: '500' },
  },
});

/** @returns {import('@switchyard/core').QueueProvider} */
function open(kind, location) {
  if (kind === 'memory') return new MemoryQueueProvider();
  if (location === undefined) throw new Error(`no location given for ${kind}`);
  if (kind === 'bull' || kind === 'bullmq') {
    const redisUrl = values['redis-url'];
    if (redisUrl === undefined) throw new Error(`--redis-url is required for ${kind}`);
    if (kind === 'bullmq') return new BullMQQueueProvider({ backend: 'redis', redisUrl, prefix: location });
    return new BullQueueProvider({ redisUrl, prefix: location });
  }
  if (kind === 'agenda') return new AgendaQueueProvider({ mongoUrl: location });
  throw new Error(`unknown provider: ${kind}`);
}

const from = open(values.from, values.source);
const to = open(values.to, values.target);
await Promise.all([from.connect(), to.connect()]);
const startedAt = performance.now();
const report = await migrateJobs(from, to, { mode: 'copy', batchSize: Number(values['batch-size']) });
const elapsedMs = performance.now() - startedAt;
await Promise.all([from.close({ timeoutMs: 5000 }), to.close({ timeoutMs: 5000 })]);
const result = {
  elapsedMs,
  maxRssKiB: process.resourceUsage().maxRSS,
  complete: report.complete,
  verified: report.totals.verified,
  failed: report.totals.failed,
};
// Exit once the line is out: nothing left to wait for, whatever handle a library keeps.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
