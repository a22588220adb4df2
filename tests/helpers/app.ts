import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { loadConfig, type Config } from '../../src/config';
import { closeServices, createServices, type Services } from '../../src/services';
import { createApp } from '../../src/app';
import { prepareDatabase } from '../../src/db';
import { migrate } from '../../src/db/migrator';

export interface TestApp {
  app: Express;
  services: Services;
  config: Config;
  close(): Promise<void>;
}

/**
 * The real app on a freshly migrated database: a new SQLite file (a file, not :memory:, so that
 * transactions really are separate connections), or the PostgreSQL database named by
 * TEST_DATABASE_URL with its schema dropped and migrated again.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const pg = process.env.TEST_DATABASE_URL;
  let dir: string | null = null;
  let databaseUrl: string;
  if (pg) {
    databaseUrl = pg;
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-test-'));
    databaseUrl = `sqlite:${path.join(dir, 'test.db')}`;
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    BASE_URL: 'http://rabet.test',
    SESSION_SECRET: 'test-secret-that-is-long-enough-0123456789',
    RATE_LIMITS: 'on',
    // Tests change data behind the app's back (factories): no cached public pages unless a test asks.
    PUBLIC_PAGE_CACHE_MS: '0',
    REPORT_CACHE_MS: '0',
    ...env,
  });
  const services = createServices(config);
  if (pg) {
    await services.sequelize.query('DROP SCHEMA public CASCADE');
    await services.sequelize.query('CREATE SCHEMA public');
  }
  await prepareDatabase(services.sequelize);
  await migrate(services.sequelize);
  return {
    app: createApp(services),
    services,
    config,
    async close() {
      await closeServices(services);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
