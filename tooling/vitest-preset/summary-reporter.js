// Ends a run with one plain line, "Tests: N passed, N failed" (", N skipped" when
// some were), so scripts and CI logs can read the outcome without parsing vitest's
// own summary.
export default class SummaryReporter {
  onTestRunEnd(testModules) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
    console.log(`Tests: ${counts.passed} passed, ${counts.failed} failed${skipped}`);
  }
}
