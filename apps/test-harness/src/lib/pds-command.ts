import { writeFileSync } from 'node:fs';
import { runPdsScript, startTestPds, type PdsScriptName, type TestPds } from '@jetstream-ts/test-pds';
import { untilAborted, type HarnessIo } from './harness-io.js';

export interface PdsCommandOptions {
  port?: number;
  plcPort?: number;
  script: PdsScriptName;
  expectations?: string;
}

/**
 * `jetstream-harness pds`: starts a real PDS on loopback, runs a script of account activity,
 * prints the subscribeRepos URL, optionally writes the expected Jetstream events as JSON, and
 * runs until asked to stop. Returns the exit code.
 */
export async function runPds(options: PdsCommandOptions, io: HarnessIo): Promise<number> {
  let pds: TestPds | undefined;
  try {
    pds = await startTestPds({ port: options.port, plcPort: options.plcPort });
    const result = await runPdsScript(pds, options.script);
    if (options.expectations !== undefined)
      writeFileSync(options.expectations, `${JSON.stringify(result, null, 2)}\n`);
    const accounts = Object.entries(result.accounts)
      .map(([name, { did, handle }]) => `${name} ${handle} ${did}`)
      .join('; ');
    io.stderr.write(
      `PDS at ${pds.url}; script "${options.script}" produced ${result.events.length} expected events (${accounts})` +
        `${options.expectations === undefined ? '' : `, written to ${options.expectations}`}; stop with Ctrl-C\n`,
    );
    io.stdout.write(`${pds.subscribeReposUrl}\n`);
    await untilAborted(io.stop);
    return 0;
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await pds?.close();
  }
}
