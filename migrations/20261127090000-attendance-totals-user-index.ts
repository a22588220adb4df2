import type { QueryInterface } from 'sequelize';

/**
 * A liaison's training record (on /me and /admin/liaisons/:id/record) reads their rows of
 * attendance_totals by user: without this index PostgreSQL scanned all 300,000 rows at national
 * scale (~30 ms of every /me).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addIndex('attendance_totals', ['user_id'], { name: 'attendance_totals_user' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('attendance_totals', 'attendance_totals_user');
}
