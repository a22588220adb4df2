import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Open Badges 3.0: the issuer's Ed25519 keys (the newest is the one that signs; older ones stay for
 * the did:web document, so credentials they signed keep verifying), each certificate's signed
 * credential and its index in a Bitstring Status List, the signed status lists themselves, and the
 * counter that hands out status indexes.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('issuer_keys', {
    id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    public_key_multibase: { type: DataTypes.STRING(100), allowNull: false, unique: true },
    secret_key_multibase: { type: DataTypes.STRING(200), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable('status_lists', {
    id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    credential: { type: DataTypes.TEXT, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable('status_list_counter', {
    id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    last_index: { type: DataTypes.INTEGER, allowNull: false, defaultValue: -1 },
  });
  await qi.addColumn('certificates', 'credential', { type: DataTypes.TEXT, allowNull: true });
  await qi.addColumn('certificates', 'status_list_index', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addIndex('certificates', ['status_list_index'], { unique: true, name: 'certificates_status_list_index' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('certificates', 'certificates_status_list_index');
  await qi.removeColumn('certificates', 'status_list_index');
  await qi.removeColumn('certificates', 'credential');
  await qi.dropTable('status_list_counter');
  await qi.dropTable('status_lists');
  await qi.dropTable('issuer_keys');
}
