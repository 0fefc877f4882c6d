import { createLogger, type LoggerOptions } from './logger.js';
import { prettyLogLine } from './pretty-log.js';

/** A logger writing into `lines`, as a terminal (`isTTY`) or a pipe would receive them. */
function capture(options: Omit<LoggerOptions, 'target'>, isTTY = false) {
  const lines: string[] = [];
  const logger = createLogger({ ...options, target: { write: (text: string) => lines.push(text), isTTY } });
  return { logger, lines };
}

const TIME = String.raw`\d\d:\d\d:\d\d\.\d{3}`;

describe('createLogger', () => {
  it('writes pino JSON lines by default when the output is not a terminal', () => {
    const { logger, lines } = capture({ level: 'info' });
    logger.info({ url: 'ws://127.0.0.1:1' }, 'connected to relay');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual(expect.objectContaining({ level: 30, name: 'jetstream', url: 'ws://127.0.0.1:1', msg: 'connected to relay' }));
  });

  it('writes pretty lines by default on a terminal, colored', () => {
    const noColor = process.env['NO_COLOR'];
    delete process.env['NO_COLOR'];
    let lines: string[];
    try {
      const terminal = capture({ level: 'info' }, true);
      terminal.logger.warn({ reason: 'closed' }, 'relay connection lost');
      lines = terminal.lines;
    } finally {
      if (noColor !== undefined) process.env['NO_COLOR'] = noColor;
    }
    expect(lines[0]).toContain('\u001b[33mWARN \u001b[0m relay connection lost \u001b[2mreason=\u001b[0mclosed\n');
  });

  it('writes what --log-format asks, whatever the output', () => {
    const pretty = capture({ level: 'info', format: 'pretty' });
    pretty.logger.info({ relayCursor: 42, headTimeUs: null }, 'resuming ingest');
    expect(pretty.lines[0]).toMatch(new RegExp(`^${TIME} INFO  resuming ingest relayCursor=42 headTimeUs=null\n$`));
    const json = capture({ level: 'info', format: 'json' }, true);
    json.logger.info('jetstream server started');
    expect(JSON.parse(json.lines[0]!).msg).toBe('jetstream server started');
  });

  it('drops lines below --log-level', () => {
    const { logger, lines } = capture({ level: 'warn', format: 'pretty' });
    logger.info('hidden');
    logger.debug('hidden');
    logger.error('shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${TIME} ERROR shown\n$`));
    const silent = capture({ level: 'silent' });
    silent.logger.fatal('hidden');
    expect(silent.lines).toEqual([]);
  });
});

describe('prettyLogLine', () => {
  it('shows time, level, message and fields; quotes values that need it; leaves pino bookkeeping out', () => {
    const line = JSON.stringify({
      level: 40, time: Date.UTC(2026, 0, 1), pid: 7, hostname: 'h', name: 'jetstream', msg: 'relay connection lost, reconnecting',
      reason: 'closed', detail: 'code 1006', retryInMs: 812, plugins: ['a@frames'], ok: true,
    });
    expect(prettyLogLine(line)).toMatch(
      new RegExp(`^${TIME} WARN  relay connection lost, reconnecting reason=closed detail="code 1006" retryInMs=812 plugins=\\["a@frames"\\] ok=true\n$`),
    );
  });

  it('prints an error as type and message, its stack indented below', () => {
    const err = { type: 'Error', message: 'MDB_MAP_FULL', stack: 'Error: MDB_MAP_FULL\n    at commit (store.js:1:1)' };
    const text = prettyLogLine(JSON.stringify({ level: 60, time: 0, msg: 'ingest failed', err }));
    expect(text.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${TIME} FATAL ingest failed err="Error: MDB_MAP_FULL"$`)),
      '    Error: MDB_MAP_FULL',
      '        at commit (store.js:1:1)',
      '',
    ]);
  });

  it('keeps a line that is not JSON as it is', () => {
    expect(prettyLogLine('not json')).toBe('not json\n');
  });
});
