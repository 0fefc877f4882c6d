import { Command, InvalidArgumentError } from 'commander';
import { runCase, SOAK_CASES, SOAK_SCALE, type CaseResult } from './lib/soak-cases.js';

const minutes = (text: string) => {
  const value = Number(text);
  if (!(value > 0 && value <= 120)) throw new InvalidArgumentError('Minutes between 0 and 120.');
  return value;
};

const options = new Command('soak')
  .description(
    'The adversarial suite, long: every case once (hostile clients, hostile relay, kill -9 x20), then the quick cases again until the time is up. The compiled server (npx tsc -b) against an in-process relay, loopback only.',
  )
  .option('--minutes <n>', 'time budget; the cases of the first round always finish', minutes, 5)
  .parse()
  .opts<{ minutes: number }>();

const deadline = Date.now() + options.minutes * 60_000;
const results: CaseResult[] = [];
const report = (result: CaseResult, round: number) => {
  results.push(result);
  console.log(`${result.passed ? 'PASS' : 'FAIL'} [round ${round}] ${result.name}: ${result.detail}`);
};

for (const soakCase of SOAK_CASES) report(await runCase(soakCase, SOAK_SCALE), 1);
// Repeat the quick cases with new seeds while time is left: floods and cycles against fresh servers.
for (let round = 2; Date.now() < deadline; round++) {
  for (const soakCase of SOAK_CASES.filter((candidate) => !candidate.soakOnly)) {
    if (Date.now() >= deadline) break;
    report(await runCase(soakCase, { ...SOAK_SCALE, seed: SOAK_SCALE.seed + round }), round);
  }
}
const failed = results.filter((result) => !result.passed).length;
console.log(`${results.length - failed} passed, ${failed} failed in ${options.minutes} min`);
process.exitCode = failed === 0 ? 0 : 1;
