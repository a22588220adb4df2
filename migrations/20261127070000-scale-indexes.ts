import type { QueryInterface } from 'sequelize';

/**
 * Indexes found missing at national scale (300,000 enrollments, 3,000,000 marks).
 * Approved seats of one county in one course: the enrollment guard counts them on every approval;
 * without this index SQLite walks every approved enrollment of the county across all courses
 * (the county report's index, county_id first), which made each approval cost grow with the table
 * (the national seed's enrollments took 74 s instead of 16 s).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addIndex('enrollments', ['course_id', 'county_id', 'status'], { name: 'enrollments_course_county_status' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('enrollments', 'enrollments_course_county_status');
}
