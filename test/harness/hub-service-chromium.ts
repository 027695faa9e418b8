// The hub dashboard as a person sees it: a real headless Chromium (Debian package) loads a page,
// writes a screenshot to build/hub-dashboard/ and hands back the DOM after it parsed the page.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './bundle.js';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumReady = (): boolean => Number(process.versions.node.split('.')[0]) >= 22 && existsSync(CHROMIUM);
export const shots = join(repoRoot, 'build', 'hub-dashboard');

/** The DOM after Chromium parsed and laid out the page (and ran anything that could run). */
export async function browse(url: string, screenshot: string, profile: string): Promise<string> {
  await mkdir(shots, { recursive: true });
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--window-size=1200,900',
  ];
  await execa(CHROMIUM, [...flags, `--screenshot=${join(shots, screenshot)}`, url], { timeout: 60_000 });
  const { stdout } = await execa(CHROMIUM, [...flags, '--dump-dom', url], { timeout: 60_000 });
  return stdout;
}
