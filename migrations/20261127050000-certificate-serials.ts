import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Certificate serials: one counter per Jalali year (KRM-1405-000123), bumped under the row lock of
 * its UPDATE so that concurrent issuing never hands out one number twice; the unique index
 * (serial_year, serial_number) of the initial migration backs it up. And at most one valid
 * certificate per enrollment: a correction supersedes the old one before the new one is stored.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('certificate_serials', {
    year: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    last_number: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  });
  await qi.addIndex('certificates', ['enrollment_id'], {
    unique: true,
    name: 'certificates_one_valid_per_enrollment',
    where: { status: 'valid' },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('certificates', 'certificates_one_valid_per_enrollment');
  await qi.dropTable('certificate_serials');
}
