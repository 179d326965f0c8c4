/**
 * Runs the MongoDB wire-protocol test server in the foreground, for poking at it
 * with mongosh or pointing a service at it during development.
 *
 *   npm run mongo:test-server -- --port 27018 [--host 127.0.0.1]
 *
 * Prints its connection string on one line, serves until SIGINT / SIGTERM, then
 * closes every connection and exits 0. Data lives in memory and is gone on exit.
 */
import { parseArgs } from 'node:util';
import { MongoWireServer } from '../test/support/mongo-wire-server/index.js';

const usage = 'usage: npm run mongo:test-server -- [--port <n>] [--host <address>]   (default 127.0.0.1, random port)';

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be an integer from 0 to 65535, got '${text}'`);
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help === true) {
    console.log(usage);
    return;
  }
  const server = await new MongoWireServer().start({ host: values.host, port: parsePort(values.port) });
  console.log(server.uri);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.error(`mongo-test-server: ${signal}, stopping`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(`mongo-test-server: ${error instanceof Error ? error.message : String(error)}`);
  console.error(usage);
  process.exit(1);
});
