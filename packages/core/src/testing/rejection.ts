/**
 * What `action` rejected (or threw) with; fails when it succeeded. Catches a
 * synchronous throw too, since the contract only promises "throws", not how.
 */
export async function rejectionOf(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it succeeded');
}
