import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * One outbox for every channel: the email outbox becomes outbox_messages, whose rows are email or
 * SMS. A worker claims a row (claimed_by, claimed_until: a lease, taken again once it runs out)
 * instead of deleting it, counts attempts, waits next_attempt_at between them and keeps the
 * provider's answer. dedupe_key makes "once per liaison and session" (reminders) a unique key the
 * database keeps across instances. Liaisons may turn session reminders off (users.sms_reminders).
 * A recovery code is kept as a hash, one per account, with its expiry and wrong tries.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.renameTable('outbox_emails', 'outbox_messages');
  await qi.addColumn('outbox_messages', 'channel', { type: DataTypes.STRING(8), allowNull: false, defaultValue: 'email' });
  await qi.addColumn('outbox_messages', 'attempts', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  await qi.addColumn('outbox_messages', 'next_attempt_at', { type: DataTypes.DATE, allowNull: true });
  await qi.addColumn('outbox_messages', 'claimed_by', { type: DataTypes.STRING(80), allowNull: true });
  await qi.addColumn('outbox_messages', 'claimed_until', { type: DataTypes.DATE, allowNull: true });
  await qi.addColumn('outbox_messages', 'provider_id', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn('outbox_messages', 'provider_answer', { type: DataTypes.STRING(500), allowNull: true });
  await qi.addColumn('outbox_messages', 'dedupe_key', { type: DataTypes.STRING(120), allowNull: true });
  await qi.addIndex('outbox_messages', ['dedupe_key'], { name: 'outbox_messages_dedupe_key', unique: true });
  await qi.addIndex('outbox_messages', ['status', 'next_attempt_at'], { name: 'outbox_messages_due' });
  // A failed email used to wait for an admin's «send again»; now the worker retries it.
  await qi.sequelize.query(`UPDATE outbox_messages SET status = 'queued' WHERE status = 'failed'`);

  await qi.addColumn('users', 'sms_reminders', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true });

  await qi.createTable('password_reset_codes', {
    user_id: {
      type: DataTypes.INTEGER,
      primaryKey: true,
      allowNull: false,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
    },
    code_hash: { type: DataTypes.STRING(64), allowNull: false },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    failed_attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('password_reset_codes');
  await qi.removeColumn('users', 'sms_reminders');
  await qi.sequelize.query(`DELETE FROM outbox_messages WHERE channel <> 'email'`);
  await qi.removeIndex('outbox_messages', 'outbox_messages_due');
  await qi.removeIndex('outbox_messages', 'outbox_messages_dedupe_key');
  for (const column of [
    'dedupe_key',
    'provider_answer',
    'provider_id',
    'claimed_until',
    'claimed_by',
    'next_attempt_at',
    'attempts',
    'channel',
  ]) {
    await qi.removeColumn('outbox_messages', column);
  }
  await qi.renameTable('outbox_messages', 'outbox_emails');
}
