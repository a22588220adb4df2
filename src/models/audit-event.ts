import { DataTypes, Model } from 'sequelize';
import type { CreationOptional, ForeignKey, InferAttributes, InferCreationAttributes, Sequelize } from 'sequelize';
import type { User } from './user';

export class AuditEvent extends Model<InferAttributes<AuditEvent>, InferCreationAttributes<AuditEvent>> {
  declare id: CreationOptional<number>;
  declare actorId: ForeignKey<User['id']> | null;
  declare action: string;
  declare entityType: string;
  declare entityId: number | null;
  /** JSON: old and new values, the reason. */
  declare details: string | null;
  declare ip: string | null;
  declare createdAt: CreationOptional<Date>;

  static setUp(sequelize: Sequelize): void {
    AuditEvent.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        action: { type: DataTypes.STRING(64), allowNull: false },
        entityType: { type: DataTypes.STRING(32), allowNull: false },
        entityId: DataTypes.INTEGER,
        details: DataTypes.TEXT,
        ip: DataTypes.STRING(64),
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'audit_events', updatedAt: false },
    );
  }
}
