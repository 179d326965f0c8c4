/** Inversify service identifiers of the container itself (its validated configuration). */
export const CONTAINER_TYPES = {
  Config: Symbol.for('switchyard.Config'),
} as const;
