import { readFileSync } from 'node:fs';
import type { PdsScriptResult } from '@jetstream-ts/test-pds';
import { collector, runHarness, scratchDir, waitFor } from './run-harness.test-util.js';

describe('jetstream-harness pds', () => {
  const scratch = scratchDir();
  afterAll(() => scratch.remove());

  it('starts a PDS, runs the script, prints the firehose URL, writes the expectations and stops on request', async () => {
    const stop = new AbortController();
    const stdout = collector();
    const expectations = scratch.path('expected.json');
    const running = runHarness(['pds', '--expectations', expectations], { stop: stop.signal, stdout });
    try {
      await waitFor(() => stdout.text().includes('\n'), 60_000);
    } finally {
      stop.abort();
    }
    const run = await running;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ws:\/\/localhost:\d+\/xrpc\/com\.atproto\.sync\.subscribeRepos\n$/);
    expect(run.stderr).toContain('script "default" produced 20 expected events');
    const written = JSON.parse(readFileSync(expectations, 'utf8')) as PdsScriptResult;
    expect(Object.keys(written.accounts)).toEqual(['alice', 'bob', 'carol']);
    expect(written.events).toHaveLength(20);
  }, 90_000);

  it('refuses an unknown script', async () => {
    const run = await runHarness(['pds', '--script', 'nope']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("argument 'nope' is invalid. Allowed choices are default.");
  });
});
