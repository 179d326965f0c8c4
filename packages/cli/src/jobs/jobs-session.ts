import type { QueueProvider } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/container';
import type { ActionContext } from '../command-action.js';
import { connectConfiguredProvider } from '../configured-provider.js';

/**
 * Runs one `switchyard jobs` subcommand against the provider the environment configures:
 * connects it, hands it to `body`, and closes it, whatever `body` does. Log lines go to
 * stderr, and only from `warn` up unless LOG_LEVEL says otherwise, so that stdout holds
 * nothing but the table or the JSON.
 */
export async function withConfiguredJobs(
  { env, secretUrls }: ActionContext,
  body: (provider: QueueProvider, config: SwitchyardConfig) => Promise<number>,
): Promise<number> {
  const { config, provider } = await connectConfiguredProvider(
    { ...env, LOG_LEVEL: env.LOG_LEVEL || 'warn' },
    secretUrls,
    process.stderr,
  );
  if (config.provider === 'memory') {
    process.stderr.write('note: QUEUE_PROVIDER=memory: this process has its own, empty, in-memory queue\n');
  }
  try {
    return await body(provider, config);
  } finally {
    await provider.close({ timeoutMs: 5_000 }).catch(() => undefined);
  }
}
