import type { MigrationProgress } from '@switchyard/core';

/**
 * Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise
 * (logs and CI output stay readable).
 */
export function progressDisplay(
  stream: NodeJS.WriteStream = process.stderr,
  { dryRun = false } = {},
): {
  update(progress: MigrationProgress): void;
  end(): void;
} {
  const started = Date.now();
  let drawn = false;
  const rate = (done: number) => Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
  return {
    update({ phase, done, total }) {
      // A dry run only reads, so it must not claim to have copied anything.
      const verb = phase === 'copy' ? (dryRun ? 'read' : 'copied') : 'deleted from source';
      if (!stream.isTTY) {
        stream.write(`${verb} ${done}${total === null ? '' : ` of ${total}`} jobs\n`);
        return;
      }
      const width = 30;
      const filled = total === null || total === 0 ? (done / 100) % width : Math.round((done / total) * width);
      const bar =
        total === null
          ? `${' '.repeat(Math.floor(filled))}<=>`.padEnd(width).slice(0, width)
          : '#'.repeat(filled).padEnd(width, '.');
      stream.write(`\r[${bar}] ${verb} ${done}${total === null ? '' : `/${total}`} jobs (${rate(done)}/s)\u001b[K`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}
