#!/usr/bin/env node
// `switchyard-worker`: the worker process, configured from the environment; the same
// process as `switchyard worker` (@switchyard/cli), kept for services that already run it.
import { runWorkerProcess } from '../worker.js';

await runWorkerProcess();
