import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { createLogger, loadConfig } from '@switchyard/container';

function capture(format: 'json' | 'pretty', env: Record<string, string> = {}) {
  const config = loadConfig({
    SWITCHYARD_CONFIG_DIR: '/nonexistent',
    QUEUE_PROVIDER: 'bull',
    LOG_FORMAT: format,
    ...env,
  });
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const settings = { log: config.log, provider: config.provider, secretUrls: [config.redisUrl, config.mongoUrl] };
  return { logger: createLogger(settings, stream), lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createLogger', () => {
  it('writes JSON lines carrying provider, job name and job id', async () => {
    const { logger, lines } = capture('json');
    logger.info('job completed', { jobName: 'email', jobId: 'j-1' });
    await flush();
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).to.include({
      level: 'info',
      message: 'job completed',
      provider: 'bull',
      jobName: 'email',
      jobId: 'j-1',
    });
    expect(entry.timestamp).to.be.a('string');
  });

  it('writes readable lines with the job up front', async () => {
    const { logger, lines } = capture('pretty');
    logger.warn('job failed', { jobName: 'email', jobId: 'j-2', error: 'boom' });
    await flush();
    expect(lines[0]).to.match(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[bull email j-2\] job failed \{"error":"boom"\}$/);
  });

  for (const format of ['json', 'pretty'] as const) {
    it(`masks connection passwords everywhere in ${format} lines`, async () => {
      const { logger, lines } = capture(format, {
        REDIS_URL: 'redis://:Sup3rSecret@cache:6379',
        MONGODB_URL: 'mongodb://app:m0ng0pw@db/x',
      });
      logger.error('cannot reach redis://:Sup3rSecret@cache:6379', {
        url: 'mongodb://app:m0ng0pw@db/x',
        nested: { note: 'password was Sup3rSecret', other: 'amqp://guest:guestpw@mq:5672' },
        error: new Error('auth failed for m0ng0pw'),
      });
      await flush();
      const text = lines.join('\n');
      expect(text).to.include('cache:6379');
      for (const secret of ['Sup3rSecret', 'm0ng0pw', 'guestpw']) expect(text).not.to.include(secret);
    });
  }
});
