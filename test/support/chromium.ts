import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs with apt-get when absent. */
export const CHROMIUM = process.env.DUALKEY_CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless Chromium for a browser test; fails (never skips) when it is missing, so CI cannot pass without it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install chromium (the browser tests need it)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'] });
}
