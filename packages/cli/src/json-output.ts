/** `--json` output: one JSON document on stdout, indented for people, parseable by programs (dates as ISO strings). */
export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
