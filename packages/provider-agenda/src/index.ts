export { AgendaQueueProvider } from './agenda-queue-provider.js';
export {
  DEFAULT_AGENDA_COLLECTION,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_LOCK_LIFETIME_MS,
  DEFAULT_PROCESS_EVERY_MS,
  type AgendaConnection,
  type AgendaQueueProviderOptions,
  type AgendaSettings,
} from './agenda-options.js';
export type { AgendaJobDocument, JobPhase } from './agenda-job-document.js';
export { toAgendaPriority, fromAgendaPriority } from './agenda-priority.js';
export { jobStateOf, stateFilter, toJobInfo as jobInfoFromDocument } from './job-state-mapping.js';
export { mongoEndpointOf } from './mongo-endpoint.js';
