import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * A certificate whose attendance was corrected after its course finished is flagged for reissue:
 * the reason is kept on it until an admin reissues it (the reissue supersedes it; nothing printed
 * on an issued certificate ever changes).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('certificates', 'reissue_reason', { type: DataTypes.STRING(600), allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('certificates', 'reissue_reason');
}
