import { loadConfig } from './config';
import { createServices } from './services';
import { createApp } from './app';
import { prepareDatabase } from './db';
import { migrate } from './db/migrator';
import { ensureFirstAdmin } from './features/auth/service';
import { ensureIssuerKey } from './features/credentials/service';

async function main(): Promise<void> {
  const config = loadConfig();
  const services = createServices(config);
  await prepareDatabase(services.sequelize);
  await migrate(services.sequelize);
  await ensureFirstAdmin(config);
  await ensureIssuerKey(services);
  if (!config.rateLimits) console.warn('Warning: RATE_LIMITS=off — logins, sign-ups and verifications are not rate-limited.');
  const server = createApp(services).listen(config.port, () => {
    console.log(`Rabet is serving on http://localhost:${config.port} (public address ${config.baseUrl})`);
  });
  const shutDown = (signal: string) => {
    console.log(`${signal}: closing`);
    server.close(() => {
      services.sequelize.close().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', () => shutDown('SIGTERM'));
  process.on('SIGINT', () => shutDown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
