import { DataTypes, Model } from 'sequelize';
import type { CreationOptional, ForeignKey, InferAttributes, InferCreationAttributes, NonAttribute, Sequelize } from 'sequelize';
import type { County } from './county';

export type Role = 'admin' | 'liaison' | 'instructor';
export type UserStatus = 'pending' | 'active' | 'disabled';

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare role: Role;
  declare username: string;
  declare passwordHash: string;
  declare fullName: string;
  declare fatherName: string | null;
  declare nationalCode: string | null;
  declare mobile: string | null;
  declare email: string | null;
  declare countyId: ForeignKey<County['id']> | null;
  declare position: string | null;
  declare status: CreationOptional<UserStatus>;
  declare searchKey: CreationOptional<string>;
  declare lastLoginAt: Date | null;
  declare calendarToken: CreationOptional<string | null>;
  /** Whether the liaison wants an SMS the day before each of their sessions. */
  declare smsReminders: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare county?: NonAttribute<County>;

  static setUp(sequelize: Sequelize): void {
    User.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        role: { type: DataTypes.STRING(16), allowNull: false },
        username: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        passwordHash: { type: DataTypes.STRING(255), allowNull: false },
        fullName: { type: DataTypes.STRING(120), allowNull: false },
        fatherName: DataTypes.STRING(120),
        nationalCode: { type: DataTypes.STRING(10), unique: true },
        mobile: DataTypes.STRING(11),
        email: DataTypes.STRING(254),
        position: DataTypes.STRING(160),
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
        searchKey: { type: DataTypes.STRING(600), allowNull: false, defaultValue: '' },
        lastLoginAt: DataTypes.DATE,
        calendarToken: { type: DataTypes.STRING(64), unique: true },
        smsReminders: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'users' },
    );
  }
}
