import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Each stored session names the user logged in on it, so that changing a password (or an admin
 * resetting one) can end that user's other sessions. Sessions saved before this migration carry
 * no user and simply expire.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('http_sessions', 'user_id', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addIndex('http_sessions', ['user_id'], { name: 'http_sessions_user' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('http_sessions', 'http_sessions_user');
  await qi.removeColumn('http_sessions', 'user_id');
}
