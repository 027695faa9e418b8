// The kubeconfig reader: what MicroShift writes, what operators edit in (file paths, a token),
// and every way the file can be wrong, each named by key without quoting a value.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostError } from '../../agent/errors.js';
import { createHostFs } from '../../agent/host/fs.js';
import { readKubeconfig } from '../../agent/host/kubeconfig.js';
import { renderKubeconfig, simCerts, type SimCerts } from '../harness/microshift/certs.js';

const PATH = '/var/lib/microshift/resources/kubeadmin/kubeconfig';
const SECRET = 'sha256~never-echo-this';

let root: string;
let certs: SimCerts;
const fs = () => createHostFs(root);
const put = async (path: string, text: string) => {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), text);
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'edge-agent-kubeconfig-'));
  certs = await simCerts();
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('readKubeconfig', () => {
  it("reads MicroShift's own kubeconfig: server, CA and client certificate, all inline", async () => {
    await put(PATH, renderKubeconfig(certs, 'https://127.0.0.1:6443/'));
    const target = await readKubeconfig(fs(), PATH);
    expect(target.server).toBe('https://127.0.0.1:6443');
    expect(target.ca?.toString()).toBe(certs.ca);
    expect(target.cert?.toString()).toBe(certs.clientCert);
    expect(target.key?.toString()).toBe(certs.clientKey);
    expect(target.rejectUnauthorized).toBe(true);
    expect(target.token).toBeUndefined();
  });

  it('reads file paths relative to the kubeconfig, a token file and the TLS options', async () => {
    await put('/etc/kube/ca.crt', certs.ca);
    await put('/etc/kube/token', `${SECRET}\n`);
    await put(
      '/etc/kube/config',
      [
        'current-context: edge',
        'contexts: [{name: edge, context: {cluster: c, user: u}}]',
        'clusters: [{name: c, cluster: {server: "https://api.edge:6443", certificate-authority: ca.crt,',
        '  tls-server-name: kubernetes, insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {tokenFile: /etc/kube/token}}]',
      ].join('\n'),
    );
    const target = await readKubeconfig(fs(), '/etc/kube/config');
    expect(target).toMatchObject({ server: 'https://api.edge:6443', servername: 'kubernetes' });
    expect(target.ca?.toString()).toBe(certs.ca);
    expect(target.token).toBe(SECRET);
    expect(target.rejectUnauthorized).toBe(false);
  });

  const context = 'current-context: m\ncontexts: [{name: m, context: {cluster: m, user: u}}]\n';
  it.each<[string, string | undefined, RegExp]>([
    ['missing', undefined, /does not exist \(yet\)$/],
    ['a syntax error', `users:\n- name: u\n  user:\n    token: ${SECRET}\n   oops: x\n`, /YAML error at line 5, col/],
    ['a list at the top', '- a\n- b\n', /expected a mapping with clusters, contexts and users$/],
    ['no current-context', 'clusters: []\n', /names no current cluster \(current-context is not set\)$/],
    ['a current-context with no entry', 'current-context: x\n', /contexts has no entry named "x"/],
    ['a context whose cluster is missing', context, /context "m" names no cluster in clusters/],
    ['contexts not a list', 'current-context: m\ncontexts: {m: 1}\n', /contexts: expected a list$/],
    [
      'a server that is not https',
      `${context}clusters: [{name: m, cluster: {server: "http://127.0.0.1:6443"}}]\n`,
      /clusters\[m\]\.cluster\.server: expected an https:\/\/ URL$/,
    ],
    [
      'a CA that is not base64',
      `${context}clusters: [{name: m, cluster: {server: "https://a", certificate-authority-data: "${SECRET}!"}}]\n`,
      /clusters\[m\]\.cluster\.certificate-authority-data: expected base64 text$/,
    ],
    [
      'a client key file that does not exist',
      `${context}clusters: [{name: m, cluster: {server: "https://a"}}]\nusers: [{name: u, user: {client-key: k.pem}}]\n`,
      /users\[u\]\.user\.client-key: \/etc\/bad\/k\.pem does not exist$/,
    ],
    [
      'a credential plugin',
      `${context}clusters: [{name: m, cluster: {server: "https://a"}}]\nusers: [{name: u, user: {exec: {command: "${SECRET}"}}}]\n`,
      /users\[u\]\.user\.exec: credential plugins are not supported$/,
    ],
  ])('%s: a precise error that quotes no value', async (_name, text, expected) => {
    const path = `/etc/bad/${_name.replaceAll(' ', '-')}`;
    if (text !== undefined) await put(path, text);
    const error = await readKubeconfig(fs(), path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HostError);
    const message = (error as HostError).message;
    expect(message).toContain(`MicroShift kubeconfig ${path}`);
    expect(message).toMatch(expected);
    expect(message).not.toContain(SECRET);
  });

  it('a directory where the kubeconfig should be: named, not read', async () => {
    await mkdir(join(root, '/etc/dir-kubeconfig'), { recursive: true });
    await expect(readKubeconfig(fs(), '/etc/dir-kubeconfig')).rejects.toThrow(
      /cannot read MicroShift kubeconfig \/etc\/dir-kubeconfig: it is a directory, expected a regular file/,
    );
  });
});
