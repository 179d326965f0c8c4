#!/usr/bin/env node
// The `switchyard` command. Commands that finish exit here, once stdout and stderr are
// flushed (a provider may hold the event loop open after close: Agenda's lock timer);
// the worker and the admin server stay up and exit on their signal.
import { runCli } from '../program.js';

const outcome = await runCli(process.argv.slice(2));
if (outcome !== 'running') {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(outcome)));
}
