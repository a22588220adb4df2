import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startServer as startChild } from '../../scripts/lib/server';

export const ADMIN = { username: 'e2eadmin', password: 'E2E-Admin-Pass-1405' };
export const ARTIFACTS = path.resolve(__dirname, '../../test-results');

export interface RunningServer {
  base: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** The built app (`npm run build` first) as a child process on a scratch SQLite file. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-e2e-'));
  const databaseUrl = `sqlite:${path.join(dir, 'e2e.db')}`;
  const server = await startChild(
    { DATABASE_URL: databaseUrl, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, AUTO_ACTIVATE: '1', ...env },
    { built: true },
  );
  return {
    base: server.base,
    databaseUrl,
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export function artifact(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
