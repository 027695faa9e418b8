import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeConfig } from '../../../agent/config/describe.js';
import { ConfigSchema, defaultConfig } from '../../../agent/config/schema.js';
import { redact } from '../../../agent/config/problems.js';

// What an operator does to take a default: remove the "#" glued to the YAML text.
const uncommentDefaults = (text: string) => text.replace(/^(\s*)#(?=[^\s#])/gm, '$1');

describe('describeConfig', () => {
  const text = describeConfig();

  it('is deterministic', () => {
    expect(describeConfig()).toBe(text);
  });

  it('is all comments: the shipped file as is means the defaults', () => {
    expect(parse(text)).toBeNull();
    expect(text.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))).toEqual([]);
  });

  it('parses back, uncommented, to exactly the default config', () => {
    const data = parse(uncommentDefaults(text));
    expect(data).toEqual(JSON.parse(JSON.stringify(defaultConfig())));
    expect(ConfigSchema.parse(data)).toEqual(defaultConfig());
  });

  it('shows the hub as an example that is valid once uncommented', () => {
    const lines = text.split('\n');
    const start = lines.indexOf('# hub:');
    const block = [];
    for (const line of lines.slice(start)) {
      if (!line.startsWith('# ')) break;
      block.push(line.slice(2));
    }
    const hub = ConfigSchema.parse(parse(block.join('\n'))).hub;
    expect(hub).toMatchObject({ url: 'mqtts://hub.example.com:8883', topicPrefix: 'edge/v1' });
  });

  it.each([
    'waitTimeoutSec',
    'insecureSkipVerify',
    'expectExit',
    'keepaliveSec',
    'crashLoopRestarts',
    'registryMirrorConfig',
  ])('mentions %s', (key) => {
    expect(text).toMatch(new RegExp(`\\b${key}:`));
  });

  it('puts each description above its key', () => {
    const lines = text.split('\n');
    const at = lines.indexOf('  #restartWindowSec: 60');
    expect(lines[at - 1]).toBe(
      '  # Window in seconds in which a growing restart count of microshift.service fails the check.',
    );
  });
});

describe('redact', () => {
  it.each<[PropertyKey[], unknown, unknown]>([
    [['hub', 'password'], 'x', '<redacted>'],
    [['hub', 'key'], '/etc/edge-agent/hub/device.key', '/etc/edge-agent/hub/device.key'], // a path, not key material
    [['checks', 0, 'url'], 'https://me:pw@host/x', 'https://me:<redacted>@host/x'],
    [
      ['x'],
      { clientSecret: 's', nested: [{ token: 't' }] },
      { clientSecret: '<redacted>', nested: [{ token: '<redacted>' }] },
    ],
  ])('%j', (path, value, expected) => {
    expect(redact(path, value)).toEqual(expected);
  });
});
