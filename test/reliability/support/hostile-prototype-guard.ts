/**
 * Detects prototype pollution: a snapshot of the built-in prototypes' own keys, to
 * compare after every hostile call (a `__proto__` or `constructor.prototype` key that
 * reached an unsafe merge would add `polluted` to every object).
 */
import { expect } from 'chai';

const WATCHED: Record<string, object> = {
  'Object.prototype': Object.prototype,
  'Array.prototype': Array.prototype,
  'Function.prototype': Function.prototype,
  'String.prototype': String.prototype,
};

function ownKeys(): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(WATCHED).map(([name, proto]) => [name, Reflect.ownKeys(proto).map(String).sort()]),
  );
}

export interface PrototypeGuard {
  /** Throws if any watched prototype gained or lost a key, or plain objects see `polluted`. */
  assertUntouched(context: string): void;
}

export function guardPrototypes(): PrototypeGuard {
  const before = ownKeys();
  return {
    assertUntouched(context) {
      expect(({} as Record<string, unknown>).polluted, `Object.prototype polluted after ${context}`).to.equal(
        undefined,
      );
      expect(([] as unknown as Record<string, unknown>).polluted, `Array.prototype polluted after ${context}`).to.equal(
        undefined,
      );
      expect(ownKeys(), `built-in prototypes changed after ${context}`).to.deep.equal(before);
    },
  };
}
