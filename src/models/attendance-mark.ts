import { DataTypes, Model } from 'sequelize';
import type { CreationOptional, ForeignKey, InferAttributes, InferCreationAttributes, Sequelize } from 'sequelize';
import type { CourseSession } from './course-session';
import type { Enrollment } from './enrollment';
import type { User } from './user';

export type AttendanceStatus = 'present' | 'late' | 'excused' | 'absent';
export type AttendanceSource = 'sheet' | 'self' | 'paper';

export class AttendanceMark extends Model<InferAttributes<AttendanceMark>, InferCreationAttributes<AttendanceMark>> {
  declare id: CreationOptional<number>;
  declare sessionId: ForeignKey<CourseSession['id']>;
  declare enrollmentId: ForeignKey<Enrollment['id']>;
  declare status: AttendanceStatus;
  declare note: string | null;
  declare source: CreationOptional<AttendanceSource>;
  declare recordedBy: ForeignKey<User['id']> | null;
  declare recordedAt: Date;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static setUp(sequelize: Sequelize): void {
    AttendanceMark.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        status: { type: DataTypes.STRING(16), allowNull: false },
        note: DataTypes.STRING(500),
        source: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'sheet' },
        recordedAt: { type: DataTypes.DATE, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'attendance_marks' },
    );
  }
}
