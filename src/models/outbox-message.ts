import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** queued: waiting for its first or next attempt; sent: the provider took it; failed: given up after every attempt. */
export type OutboxStatus = 'queued' | 'sent' | 'failed';
export type OutboxChannel = 'email' | 'sms';

/** A message on its way to a person, by email or SMS: written in the transaction that caused it, sent by the outbox worker. */
export class OutboxMessage extends Model<InferAttributes<OutboxMessage>, InferCreationAttributes<OutboxMessage>> {
  declare id: CreationOptional<number>;
  declare channel: CreationOptional<OutboxChannel>;
  /** An email address, or a mobile number 09xxxxxxxxx. */
  declare to: string;
  /** An email's subject; for an SMS, what kind of message it is (the outbox page shows it). */
  declare subject: string;
  declare body: string;
  declare status: CreationOptional<OutboxStatus>;
  declare attempts: CreationOptional<number>;
  declare nextAttemptAt: CreationOptional<Date | null>;
  declare claimedBy: CreationOptional<string | null>;
  declare claimedUntil: CreationOptional<Date | null>;
  /** The last attempt's error, while it is not sent. */
  declare error: string | null;
  declare providerId: CreationOptional<string | null>;
  declare providerAnswer: CreationOptional<string | null>;
  declare dedupeKey: CreationOptional<string | null>;
  /** The text carries a one-time secret (a recovery code): hidden on the outbox page once a provider sends SMS. */
  declare secret: CreationOptional<boolean>;
  declare sentAt: Date | null;
  declare createdAt: CreationOptional<Date>;

  static setUp(sequelize: Sequelize): void {
    OutboxMessage.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        channel: { type: DataTypes.STRING(8), allowNull: false, defaultValue: 'email' },
        to: { type: DataTypes.STRING(254), allowNull: false },
        subject: { type: DataTypes.STRING(300), allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'queued' },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        nextAttemptAt: DataTypes.DATE,
        claimedBy: DataTypes.STRING(80),
        claimedUntil: DataTypes.DATE,
        error: DataTypes.STRING(500),
        providerId: DataTypes.STRING(64),
        providerAnswer: DataTypes.STRING(500),
        dedupeKey: { type: DataTypes.STRING(120), unique: true },
        secret: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        sentAt: DataTypes.DATE,
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'outbox_messages', updatedAt: false },
    );
  }
}
