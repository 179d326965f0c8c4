/**
 * Inversify service identifiers of what every Switchyard container holds: the
 * provider, the processors, the logger. Symbols made with `Symbol.for` so that two
 * copies of this package in one process still agree. The reminder domain's are
 * `DOMAIN_TYPES` in `@switchyard/domain`; the container's configuration is
 * `CONTAINER_TYPES.Config` in `@switchyard/container`.
 *
 * @example
 * ```ts
 * constructor(@inject(TYPES.QueueProvider) private readonly queue: QueueProvider) {}
 * ```
 */
export const TYPES = {
  QueueProvider: Symbol.for('switchyard.QueueProvider'),
  JobProcessor: Symbol.for('switchyard.JobProcessor'),
  Logger: Symbol.for('switchyard.Logger'),
} as const;
