import { DataTypes, type QueryInterface } from 'sequelize';

/** Self check-in: one random secret per session, from which the rotating codes are derived (HMAC). */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('attendance_check_in_secrets', {
    session_id: {
      type: DataTypes.INTEGER,
      primaryKey: true,
      allowNull: false,
      references: { model: 'course_sessions', key: 'id' },
      onDelete: 'CASCADE',
      onUpdate: 'CASCADE',
    },
    secret: { type: DataTypes.STRING(64), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('attendance_check_in_secrets');
}
