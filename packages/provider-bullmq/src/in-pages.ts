/**
 * `each` over `items`, `size` at a time, results in order. BullMQ on PostgreSQL sends a
 * query per job read, and a pool serves only so many at once: thousands sent together
 * wait on it longer than its connection timeout and fail.
 */
export async function mapInPages<T, R>(items: readonly T[], size: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...(await Promise.all(items.slice(start, start + size).map(each))));
  }
  return results;
}
