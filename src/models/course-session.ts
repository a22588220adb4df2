import { DataTypes, Model } from 'sequelize';
import type { CreationOptional, ForeignKey, InferAttributes, InferCreationAttributes, NonAttribute, Sequelize } from 'sequelize';
import type { Course } from './course';

export class CourseSession extends Model<InferAttributes<CourseSession>, InferCreationAttributes<CourseSession>> {
  declare id: CreationOptional<number>;
  declare courseId: ForeignKey<Course['id']>;
  /** ISO calendar date, shown in Jalali. */
  declare date: string;
  declare startTime: string;
  declare endTime: string;
  declare topic: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare course?: NonAttribute<Course>;

  static setUp(sequelize: Sequelize): void {
    CourseSession.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        date: { type: DataTypes.DATEONLY, allowNull: false },
        startTime: { type: DataTypes.STRING(5), allowNull: false },
        endTime: { type: DataTypes.STRING(5), allowNull: false },
        topic: DataTypes.STRING(200),
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'course_sessions' },
    );
  }
}
