#!/usr/bin/env node
// `npm start` / `switchyard-worker`: the worker process, configured from the environment.
import { runWorkerProcess } from '../worker.js';

await runWorkerProcess();
