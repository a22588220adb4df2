import path from 'node:path';
import { Umzug, SequelizeStorage } from 'umzug';
import type { QueryInterface, Sequelize } from 'sequelize';
import { projectRoot } from '../config';

/** Migrations are TypeScript under migrations/; the built app runs their compiled copies in dist/. */
function migrationsGlob(): string {
  const compiled = __filename.endsWith('.js');
  return compiled ? path.join(projectRoot, 'dist', 'migrations', '*.js') : path.join(projectRoot, 'migrations', '*.ts');
}

export function createMigrator(sequelize: Sequelize, logger: Console | undefined = undefined) {
  return new Umzug<QueryInterface>({
    migrations: {
      glob: migrationsGlob(),
      resolve: ({ name, path: file, context }) => {
        const migration = require(file!);
        return {
          name: name.replace(/\.(ts|js)$/, ''),
          up: async () => migration.up({ context }),
          down: async () => migration.down({ context }),
        };
      },
    },
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'migrations' }),
    logger,
  });
}

const MIGRATION_LOCK = 7_240_125; // any constant shared by every instance of Rabet

/**
 * Brings the schema up to date. On PostgreSQL several instances may start at once: an advisory lock
 * held on one connection lets the first migrate while the others wait and then find nothing to do.
 */
export async function migrate(sequelize: Sequelize): Promise<void> {
  const migrator = createMigrator(sequelize);
  if (sequelize.getDialect() !== 'postgres') {
    await migrator.up();
    return;
  }
  const manager = sequelize.connectionManager as unknown as {
    getConnection(): Promise<{ query(sql: string): Promise<unknown> }>;
    releaseConnection(connection: unknown): Promise<void>;
  };
  const connection = await manager.getConnection();
  try {
    await connection.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await migrator.up();
    } finally {
      await connection.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    await manager.releaseConnection(connection);
  }
}
