import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import { createSequelize } from '../db';
import { setUpModels } from '../models';
import { createMailer } from './mailer';
import { AnonymousPageCache, ResultCache } from './caches';
import { RateLimiter } from './rate-limiter';
import { Settings } from './settings';

/** Everything the app needs from outside itself, built once and passed to createApp. */
export function createServices(config: Config, sequelize: Sequelize = createSequelize(config)) {
  setUpModels(sequelize);
  return {
    config,
    sequelize,
    rateLimiter: new RateLimiter(sequelize, config.rateLimits),
    settings: new Settings({ autoActivate: config.autoActivateDefault }),
    mailer: createMailer(config, sequelize),
    publicPages: new AnonymousPageCache(config.publicPageCacheMs),
    reports: new ResultCache(config.reportCacheMs),
  };
}

export type Services = ReturnType<typeof createServices>;
