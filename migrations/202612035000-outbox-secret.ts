import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * outbox_messages.secret: the message carries a one-time secret (a password-recovery code). The
 * outbox page shows such a message's text only while SMS wait there for an admin to relay by hand
 * (SMS_PROVIDER=outbox); once a provider sends them, the digits are hidden.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('outbox_messages', 'secret', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('outbox_messages', 'secret');
}
