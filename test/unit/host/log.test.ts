import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from '../../../agent/host/log.js';

function capture(format: LogFormat, level?: string) {
  const lines: string[] = [];
  const log = createLogger({
    format,
    level,
    native: false,
    levelFrom: 'EDGE_AGENT_LOG_LEVEL',
    write: (l) => void lines.push(l),
  });
  return { log, lines };
}

describe('the logger', () => {
  it('writes plain sentences on a terminal, with the level as a word only where it matters', () => {
    const { log, lines } = capture('text', 'debug');
    log.error('disk full');
    log.warn({ check: 'microshift' }, 'slow');
    log.info('started');
    log.debug('details');
    expect(lines).toEqual(['error: disk full\n', 'warning: slow\n', 'started\n', 'details\n']);
  });

  it('prefixes sd-daemon priorities for the journal and keeps the error text beside the message', () => {
    const { log, lines } = capture('journal');
    log.error({ err: new Error('EACCES: permission denied') }, 'cannot write the record');
    log.warn({ err: new Error('gone') }, 'the hub is gone');
    log.info('ok');
    expect(lines).toEqual([
      '<3>cannot write the record: EACCES: permission denied\n',
      '<4>the hub is gone\n',
      '<6>ok\n',
    ]);
  });

  it('drops records below its level', () => {
    const { log, lines } = capture('text', 'warn');
    log.info('not shown');
    log.debug('not shown');
    log.warn('shown');
    expect(lines).toEqual(['warning: shown\n']);
    const silent = capture('text', 'silent');
    silent.log.error('never');
    expect(silent.lines).toEqual([]);
  });

  it('writes one JSON object per record in json format, fields, bindings and the error included', () => {
    const { log, lines } = capture('json');
    log.child({ check: 'microshift' }).error({ outcome: 'fail', err: new TypeError('boom') }, 'check failed');
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 50,
      check: 'microshift',
      outcome: 'fail',
      msg: 'check failed',
      err: { type: 'TypeError', message: 'boom' },
    });
    expect(typeof record.time).toBe('number');
  });

  it('names a level it does not know, where it came from, and logs at info', () => {
    const { log, lines } = capture('text', 'verbose');
    log.debug('not shown');
    log.info('shown');
    expect(lines).toEqual([
      'warning: EDGE_AGENT_LOG_LEVEL: "verbose" is not a log level; expected one of fatal, error, warn, info, debug, trace, silent; logging at info\n',
      'shown\n',
    ]);
  });
});
