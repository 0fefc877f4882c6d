import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AtpAgent } from '@atproto/api';

export interface TestPdsOptions {
  /** PDS port; a free one when omitted. */
  port?: number;
  /** PLC directory port; a free one when omitted. */
  plcPort?: number;
}

/** A running PDS (and its in-memory PLC directory) on loopback. */
export interface TestPds {
  /** The PDS's HTTP origin, e.g. `http://localhost:41735`. */
  readonly url: string;
  /** Its firehose: `ws://localhost:<port>/xrpc/com.atproto.sync.subscribeRepos`. */
  readonly subscribeReposUrl: string;
  /** A fresh unauthenticated client of this PDS. */
  agent(): AtpAgent;
  /** Stops the PDS and the PLC directory and deletes their files. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a real PDS (`@atproto/dev-env` `TestNetworkNoAppView`: `@atproto/pds` with a PLC
 * directory) for end-to-end tests. `.test` handles need no DNS; nothing leaves the machine. The
 * PDS writes SQLite files and blobs under `os.tmpdir()`: they go to a scratch folder (TMPDIR
 * points there while the PDS runs) that `close()` deletes. Loading the modules takes about 2-3 s,
 * starting about 150 ms; peak memory about 270 MB.
 *
 * @example
 * import { runPdsScript, startTestPds } from '@jetstream-ts/test-pds';
 *
 * const pds = await startTestPds();
 * try {
 *   const expected = await runPdsScript(pds);
 *   // connect to pds.subscribeReposUrl + '?cursor=0' and compare with expected.events
 * } finally {
 *   await pds.close();
 * }
 */
export async function startTestPds(options: TestPdsOptions = {}): Promise<TestPds> {
  const scratch = mkdtempSync(join(tmpdir(), 'jetstream-test-pds-'));
  const previousTmpdir = process.env['TMPDIR'];
  const restoreTmpdir = () => {
    if (previousTmpdir === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previousTmpdir;
  };
  process.env['TMPDIR'] = scratch;
  let network: { pds: { url: string }; close(): Promise<void> } | undefined;
  const cleanUp = async () => {
    await network?.close();
    network = undefined;
    restoreTmpdir();
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    // Loaded on demand: the dev environment is large and only this function needs it.
    const [{ TestNetworkNoAppView }, { AtpAgent }] = await Promise.all([
      import('@atproto/dev-env'),
      import('@atproto/api'),
    ]);
    // dev-env treats a port of 0 as a real port (the server would not listen where its URL says):
    // leave it out to get a free one.
    const started = await TestNetworkNoAppView.create({
      pds: options.port ? { port: options.port } : {},
      plc: options.plcPort ? { port: options.plcPort } : {},
    });
    network = started;
    const url = started.pds.url;
    let closing: Promise<void> | undefined;
    return {
      url,
      subscribeReposUrl: `${url.replace(/^http/, 'ws')}/xrpc/com.atproto.sync.subscribeRepos`,
      agent: () => new AtpAgent({ service: url }),
      close: () => (closing ??= cleanUp()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
