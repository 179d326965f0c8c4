/**
 * The environments a service would run the container with, one per provider, pointing
 * at the test servers: the same code must work in each with only the environment changed.
 */
export interface ContainerEnvironment {
  name: 'memory' | 'bull' | 'agenda';
  env(): Promise<Record<string, string>>;
}

export function containerEnvironments(): ContainerEnvironment[] {
  return [{ name: 'memory', env: async () => ({ QUEUE_PROVIDER: 'memory', SWITCHYARD_CONFIG_DIR: '/nonexistent' }) }];
}
