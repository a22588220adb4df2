import { configWarnings, loadConfig } from './config';
import { closeServices, createServices, scheduleCleanup } from './services';
import { createApp } from './app';
import { createSequelize, prepareDatabase } from './db';
import { migrate } from './db/migrator';
import { storedSessionSecret } from './services/sessions';
import { ensureFirstAdmin } from './features/auth/service';
import { ensureIssuerKey } from './features/credentials/service';
import { scheduleEvaluationAnnouncements } from './features/evaluations/service';
import { scheduleReminders } from './features/notifications/reminders';

async function main(): Promise<void> {
  const given = loadConfig();
  const sequelize = createSequelize(given);
  await prepareDatabase(sequelize);
  await migrate(sequelize);
  // Without SESSION_SECRET the app signs with a random secret of its own, kept in the database.
  const config = { ...given, sessionSecret: given.sessionSecret || (await storedSessionSecret(sequelize)) };
  const services = createServices(config, sequelize);
  await ensureFirstAdmin(config);
  await ensureIssuerKey(services);
  for (const warning of configWarnings(config)) console.warn(`Warning: ${warning}`);
  const stopCleanup = scheduleCleanup(services);
  const stopAnnouncements = scheduleEvaluationAnnouncements(services);
  services.outbox.start();
  const stopReminders = scheduleReminders(services);
  const app = createApp(services);
  const onListening = () => {
    console.log(
      `Rabet is serving on ${config.host || 'every interface'}, port ${config.port} (public address ${config.baseUrl}; ${config.env} mode)`,
    );
  };
  const server = config.host ? app.listen(config.port, config.host, onListening) : app.listen(config.port, onListening);
  const shutDown = (signal: string) => {
    console.log(`${signal}: closing`);
    stopCleanup();
    stopAnnouncements();
    stopReminders();
    server.close(() => {
      closeServices(services).finally(() => process.exit(0));
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
