import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { Environment } from '@switchyard/container';
import { CliError } from './cli-error.js';

/**
 * The variables a command is configured from: the process environment over those of
 * `--env-file` (a dotenv file: `NAME=value` lines, `#` comments). A variable set in the
 * environment wins over the file, as with Node's own `--env-file` and with dotenv, so
 * one setting can be overridden for one run (`LOG_LEVEL=debug switchyard ...`); set to
 * the empty string, it counts as unset, as it does for the container's settings.
 */
export function readEnvironment(envFile: string | undefined, processEnv: Environment = process.env): Environment {
  if (envFile === undefined) return { ...processEnv };
  let text: string;
  try {
    text = readFileSync(envFile, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CliError(`--env-file: cannot read ${envFile}: ${reason}`);
  }
  return { ...parseEnv(text), ...definedOnly(processEnv) };
}

function definedOnly(env: Environment): Environment {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}
