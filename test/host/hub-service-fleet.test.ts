// `edge-agent fleet --broker` never prints a partial fleet silently: a settled collection says
// how many devices it saw and that it is complete (exit 0); one the time cap cut short says so
// and exits 2. A device that never stops publishing keeps the collection from settling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../agent/commands/fleet/fleet.js';
import type { Deps, Flags } from '../../agent/commands/types.js';
import { ExitCode } from '../../agent/exit-codes.js';
import { createHost } from '../../agent/host/host.js';
import { createLogger } from '../../agent/host/log.js';
import { connectDevice, deployment, type VirtualDevice } from '../harness/hub-service-devices.js';
import { DEVICES, startBroker, subscribe, type TestBroker } from '../harness/mosquitto.js';

let broker: TestBroker;
const devices: VirtualDevice[] = [];

beforeAll(async () => {
  broker = await startBroker();
  const watcher = await subscribe(broker, ['edge/v1/+/status']);
  for (const id of DEVICES) {
    const device = await connectDevice(broker, id);
    devices.push(device);
    await device.status({ booted: deployment('9.4.1') });
  }
  await watcher.until((m) => DEVICES.every((id) => m.some((x) => x.topic === `edge/v1/${id}/status`)));
  await watcher.close();
});

afterAll(async () => {
  for (const device of devices) await device.close().catch(() => undefined);
  await broker?.cleanup();
});

async function fleet(extra: Flags): Promise<{ code: number; out: string; err: string }> {
  const reader = broker.client('fleet-reader');
  let out = '';
  let err = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    err += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    const deps: Deps = {
      host: createHost(),
      config: undefined as never,
      log: createLogger({ write: () => undefined }),
      signal: new AbortController().signal,
      out: (text) => (out += text),
    };
    const code = await main(
      { flags: { broker: broker.url, ca: broker.ca, cert: reader.cert, key: reader.key, ...extra }, positionals: [] },
      deps,
    );
    return { code, out, err };
  } finally {
    process.stderr.write = write;
  }
}

describe('edge-agent fleet --broker completeness', () => {
  it('says a settled collection is complete and how many devices it saw', async () => {
    const { code, out } = await fleet({});
    expect(code).toBe(ExitCode.Ok);
    expect(out).toMatch(/\nfleet: 3 devices seen in \d+\.\d s, complete \(no new message for 1\.5 s\)\n$/);
  });

  it('exits 2 and says INCOMPLETE when the time cap ends a collection that never settled', async () => {
    const chatty = devices[0] as VirtualDevice;
    let stop = false;
    const publishing = (async () => {
      for (let n = 0; !stop; n += 1) {
        await chatty.status({ booted: deployment(`9.4.${n % 9}`) });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      const { code, out, err } = await fleet({ json: true, 'max-wait': '2' });
      expect(code).toBe(ExitCode.Pending);
      expect((JSON.parse(out) as unknown[]).length).toBe(3);
      expect(err).toMatch(
        /^fleet: INCOMPLETE: 3 devices seen in [2-9]\.\d s; retained messages were still arriving when the time cap ended the collection/,
      );
    } finally {
      stop = true;
      await publishing;
    }
  });

  it('refuses a --max-wait below one second', async () => {
    await expect(fleet({ 'max-wait': '0.2' })).rejects.toThrow('--max-wait 0.2: expected seconds, at least 1');
  });
});
