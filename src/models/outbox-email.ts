import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export type OutboxStatus = 'queued' | 'sent' | 'failed';

export class OutboxEmail extends Model<InferAttributes<OutboxEmail>, InferCreationAttributes<OutboxEmail>> {
  declare id: CreationOptional<number>;
  declare to: string;
  declare subject: string;
  declare body: string;
  declare status: CreationOptional<OutboxStatus>;
  declare error: string | null;
  declare sentAt: Date | null;
  declare createdAt: CreationOptional<Date>;

  static setUp(sequelize: Sequelize): void {
    OutboxEmail.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        to: { type: DataTypes.STRING(254), allowNull: false },
        subject: { type: DataTypes.STRING(300), allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'queued' },
        error: DataTypes.STRING(500),
        sentAt: DataTypes.DATE,
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'outbox_emails', updatedAt: false },
    );
  }
}
