import { runCase, SOAK_CASES, TEST_SCALE } from './lib/soak-cases.js';

// The bounded, seeded part of the adversarial suite (the soak runs every case, bigger): the
// compiled server (`npx tsc -b`) against an in-process fake relay, all on loopback.
describe('jetstream-server under hostile clients and a hostile relay', () => {
  it.each(SOAK_CASES.filter((soakCase) => !soakCase.soakOnly).map((soakCase) => [soakCase.name, soakCase] as const))('%s', async (_name, soakCase) => {
    const result = await runCase(soakCase, TEST_SCALE);
    // A failure shows what was measured.
    expect(result.passed ? 'passed' : result.detail).toBe('passed');
  }, 60_000);
});
