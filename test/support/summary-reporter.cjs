'use strict';
// Mocha's spec reporter, plus closing lines in the form CI reads: a "failed: <test>"
// line for each failed test, then "N passed, N failed" (", N skipped" only when some
// tests were pending). CI prints the "failed:" lines again at the very end of its
// output, so that a failure's name survives in a log kept only by its tail.
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

/** The first line of an error's message, so that each failure stays on one line. */
function firstLine(error) {
  const message = error && typeof error.message === 'string' ? error.message : String(error);
  return message.split('\n', 1)[0];
}

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    // A failed hook arrives here too, titled after the hook.
    runner.on(EVENT_TEST_FAIL, (test, error) => {
      failures.push(`failed: ${test.fullTitle()}: ${firstLine(error)}`);
    });
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures: failed, pending } = runner.stats;
      const skipped = pending > 0 ? `, ${pending} skipped` : '';
      // After the spec reporter's epilogue, which it prints on the same event.
      process.nextTick(() => {
        for (const line of failures) console.log(line);
        console.log(`${passes} passed, ${failed} failed${skipped}`);
      });
    });
  }
}

module.exports = SummaryReporter;
