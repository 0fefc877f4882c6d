import type { DropReport, DropReporter } from '@jetstream-ts/models';
import type { Counter } from 'prom-client';

/** The part of a pino logger this needs (pino's `logger.warn(object, message)`). */
export interface WarnLogger {
  warn(context: object, message: string): void;
}

/**
 * A {@link DropReporter} that counts every drop in `jetstream_dropped_input_total{stage,reason}`
 * and logs the first drop of each distinct (stage, reason), with its context, at warn level.
 * Later drops of the same kind are only counted: one bad relay must not flood the log.
 *
 * @example
 * import { decodeFrames } from '@jetstream-ts/frames';
 * import { toJetstreamEvents } from '@jetstream-ts/mapping';
 * import { MetricsDropReporter } from '@jetstream-ts/metrics';
 *
 * // metrics: from createMetrics(); logger: pino (or anything with warn); frames$: relay bytes
 * const drops = new MetricsDropReporter(metrics.droppedInput, logger);
 * frames$.pipe(decodeFrames({ drops }), toJetstreamEvents({ drops }));
 */
export class MetricsDropReporter implements DropReporter {
  readonly #logged = new Set<string>();

  constructor(
    private readonly droppedInput: Counter<'stage' | 'reason'>,
    private readonly logger: WarnLogger,
  ) {}

  drop(report: DropReport): void {
    const { stage, reason } = report;
    this.droppedInput.inc({ stage, reason });
    // stage and reason are short identifiers; a NUL cannot occur in them, so the key is unambiguous.
    const key = `${stage}\u0000${reason}`;
    if (this.#logged.has(key)) return;
    this.#logged.add(key);
    this.logger.warn({ ...report }, `dropped input (${stage}: ${reason}); further drops like it are only counted in jetstream_dropped_input_total`);
  }
}
