import type { UpstreamStatus } from '@jetstream-ts/upstream';

export interface ServerHealthOptions {
  /** Frames must have arrived within this many ms (`--liveness-ttl`). */
  livenessTtlMs: number;
  /** Milliseconds, monotonic (`performance.now` by default; injected in tests). */
  now?: () => number;
}

/**
 * What `/readyz` answers: ready only while ingest runs, the relay connection is open and not
 * refusing the cursor, a frame arrived within the liveness window, the store took the last
 * commit (a failed commit ends ingest), and (`--workers N`) all N subscriber workers are ready:
 * while one is being replaced, or fails to start, it is not ready with `workers: 1/2 ready`
 * (readiness is yes or no; a pool short of a worker is not the server it was configured to be).
 * Fed by the relay source's `onStatus`, each frame, the server's lifecycle and the worker pool;
 * `/healthz` does not look at it (the process answers, that is all).
 *
 * @example
 * import { ServerHealth } from '@jetstream-ts/server';
 * import { relayFrames } from '@jetstream-ts/upstream';
 * import { tap } from 'rxjs';
 *
 * // wsUrl: the relay's subscribeRepos URL
 * const health = new ServerHealth({ livenessTtlMs: 15_000 });
 * relayFrames({ wsUrl, onStatus: health.relayStatus }).pipe(tap(() => health.frameReceived()));
 * health.ingestRunning(true);
 * health.notReadyReason(); // 'no frame from the relay yet', later undefined
 */
export class ServerHealth {
  readonly #livenessTtlMs: number;
  readonly #now: () => number;
  #running = false;
  #relayOpen = false;
  #cursorRejected = false;
  #lastFrameAt: number | undefined;
  #ingestError: string | undefined;
  #workers: { ready: number; wanted: number } = { ready: 0, wanted: 0 };

  constructor(options: ServerHealthOptions) {
    this.#livenessTtlMs = options.livenessTtlMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** An `onStatus` callback for `relayFrames` (bound, so it can be passed as it is). */
  readonly relayStatus = (status: UpstreamStatus): void => {
    switch (status.type) {
      case 'connected':
        this.#relayOpen = true;
        return;
      case 'connecting':
      case 'disconnected':
        this.#relayOpen = false;
        return;
      case 'cursor-rejected':
        this.#cursorRejected = true;
        return;
      case 'streaming':
        this.#cursorRejected = false;
        return;
    }
  };

  /** A relay frame arrived (so the connection is open, whether or not a status said so). */
  frameReceived(): void {
    this.#relayOpen = true;
    this.#lastFrameAt = this.#now();
  }

  /** Ingest started (true) or was stopped (false). */
  ingestRunning(running: boolean): void {
    this.#running = running;
  }

  /** Ingest failed (a commit the store refused, ...): not ready until restarted. */
  ingestFailed(error: unknown): void {
    this.#running = false;
    this.#ingestError = error instanceof Error ? error.message : String(error);
  }

  /** `--workers N`: `ready` of the `wanted` subscriber workers serve (the pool tells each change). */
  workersReady(ready: number, wanted: number): void {
    this.#workers = { ready, wanted };
  }

  /** Why the subscriber workers are not ready (`workers: 1/2 ready`), or undefined when all are (or there are none). */
  workersNotReadyReason(): string | undefined {
    const { ready, wanted } = this.#workers;
    return ready < wanted ? `workers: ${ready}/${wanted} ready` : undefined;
  }

  /** Why the server is not ready, or undefined when it is: ingest's reason first, then the workers'. */
  notReadyReason(): string | undefined {
    return this.#ingestNotReadyReason() ?? this.workersNotReadyReason();
  }

  #ingestNotReadyReason(): string | undefined {
    if (this.#ingestError !== undefined) return `ingest failed: ${this.#ingestError}`;
    if (!this.#running) return 'ingest not running';
    if (this.#cursorRejected) return 'the relay rejects the stored cursor';
    if (!this.#relayOpen) return 'relay not connected';
    if (this.#lastFrameAt === undefined) return 'no frame from the relay yet';
    const idleMs = Math.round(this.#now() - this.#lastFrameAt);
    if (idleMs >= this.#livenessTtlMs) return `no frame from the relay for ${idleMs} ms`;
    return undefined;
  }
}
