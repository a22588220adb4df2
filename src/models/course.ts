import { DataTypes, Model } from 'sequelize';
import type { CreationOptional, ForeignKey, InferAttributes, InferCreationAttributes, NonAttribute, Sequelize } from 'sequelize';
import type { User } from './user';
import type { CourseSession } from './course-session';
import type { CourseQuota } from './course-quota';

export type CourseStatus = 'draft' | 'open' | 'running' | 'finished' | 'cancelled';
export type Delivery = 'in-person' | 'online';
export type Approval = 'auto' | 'manual';

export class Course extends Model<InferAttributes<Course>, InferCreationAttributes<Course>> {
  declare id: CreationOptional<number>;
  declare code: string;
  declare title: string;
  declare category: string;
  declare description: string | null;
  declare instructorName: string | null;
  declare instructorId: ForeignKey<User['id']> | null;
  declare delivery: Delivery;
  declare place: string | null;
  declare link: string | null;
  declare capacity: number;
  /** DECIMAL comes back as a string on PostgreSQL: read it through Number(). */
  declare hours: number | string;
  declare enrollOpens: string;
  declare enrollCloses: string;
  declare minAttendance: CreationOptional<number>;
  declare passMark: number | string | null;
  declare countExcused: CreationOptional<boolean>;
  declare approval: CreationOptional<Approval>;
  declare status: CreationOptional<CourseStatus>;
  declare searchKey: CreationOptional<string>;
  declare createdBy: ForeignKey<User['id']> | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare sessions?: NonAttribute<CourseSession[]>;
  declare quotas?: NonAttribute<CourseQuota[]>;
  declare instructor?: NonAttribute<User | null>;

  static setUp(sequelize: Sequelize): void {
    Course.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        code: { type: DataTypes.STRING(32), allowNull: false, unique: true },
        title: { type: DataTypes.STRING(200), allowNull: false },
        category: { type: DataTypes.STRING(100), allowNull: false },
        description: DataTypes.TEXT,
        instructorName: DataTypes.STRING(120),
        delivery: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'in-person' },
        place: DataTypes.STRING(200),
        link: DataTypes.STRING(500),
        capacity: { type: DataTypes.INTEGER, allowNull: false },
        hours: { type: DataTypes.DECIMAL(6, 1), allowNull: false },
        enrollOpens: { type: DataTypes.DATEONLY, allowNull: false },
        enrollCloses: { type: DataTypes.DATEONLY, allowNull: false },
        minAttendance: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 80 },
        passMark: DataTypes.DECIMAL(5, 2),
        countExcused: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        approval: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'auto' },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'draft' },
        searchKey: { type: DataTypes.STRING(600), allowNull: false, defaultValue: '' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'courses' },
    );
  }
}
