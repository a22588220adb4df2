import { DataTypes, Model } from 'sequelize';
import type { CreationOptional, ForeignKey, InferAttributes, InferCreationAttributes, Sequelize } from 'sequelize';
import type { User } from './user';

export class Notification extends Model<InferAttributes<Notification>, InferCreationAttributes<Notification>> {
  declare id: CreationOptional<number>;
  declare userId: ForeignKey<User['id']>;
  declare message: string;
  declare link: string | null;
  declare readAt: Date | null;
  declare createdAt: CreationOptional<Date>;

  static setUp(sequelize: Sequelize): void {
    Notification.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        message: { type: DataTypes.STRING(500), allowNull: false },
        link: DataTypes.STRING(300),
        readAt: DataTypes.DATE,
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'notifications', updatedAt: false },
    );
  }
}
