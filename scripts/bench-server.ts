/**
 * The benchmark's server: the real app (createApp) and, beside it, one extra route, GET /bench/bare,
 * that renders the same layout with a page of 20 courses held in memory — no database, no session,
 * no middleware — the yardstick the benchmark divides by. Never part of the production app.
 *
 * The two are side by side under one HTTP server, each a top-level Express app as server.ts serves
 * the app: mounted inside another app (as it was until the fifth session), every request of the
 * app's paid for Express's sub-app hand-over (its request and response prototypes swapped in and
 * out), which production never does.
 */
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import { loadConfig, projectRoot } from '../src/config';
import { createServices } from '../src/services';
import { createApp } from '../src/app';
import { prepareDatabase } from '../src/db';
import { migrate } from '../src/db/migrator';
import { setUpViews } from '../src/middleware/views';
import { addDaysIso, todayIso } from '../src/lib/jalali';
import { TOPICS } from './lib/names';

const COURSES = Array.from({ length: 20 }, (_, i) => ({
  id: i + 1,
  title: `${TOPICS[i % TOPICS.length].title} (مقدماتی)`,
  category: TOPICS[i % TOPICS.length].category,
  hours: 12,
  capacity: 30,
  firstDate: addDaysIso(todayIso(), i * 3),
}));

async function main(): Promise<void> {
  const config = loadConfig();
  const services = createServices(config);
  await prepareDatabase(services.sequelize);
  await migrate(services.sequelize);
  const bare = express();
  bare.disable('x-powered-by');
  setUpViews(bare, true);
  const view = path.join(projectRoot, 'scripts', 'bench-bare.ejs');
  bare.get('/bench/bare', (_req, res) => {
    res.render(view, { title: 'دوره‌های پیش رو', user: null, flash: [], path: '/bench/bare', csrfToken: () => '', courses: COURSES });
  });
  const app = createApp(services);
  const server = http
    .createServer((req, res) => (req.url === '/bench/bare' ? bare(req, res) : app(req, res)))
    .listen(config.port, () => console.log(`bench server on ${config.port}`));
  // A normal exit on SIGTERM, so that `node --cpu-prof` writes its profile.
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
