import { DataTypes, Model } from 'sequelize';
import type { CreationOptional, ForeignKey, InferAttributes, InferCreationAttributes, Sequelize } from 'sequelize';
import type { Course } from './course';
import type { County } from './county';

export class CourseQuota extends Model<InferAttributes<CourseQuota>, InferCreationAttributes<CourseQuota>> {
  declare id: CreationOptional<number>;
  declare courseId: ForeignKey<Course['id']>;
  declare countyId: ForeignKey<County['id']>;
  declare quota: number;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static setUp(sequelize: Sequelize): void {
    CourseQuota.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        quota: { type: DataTypes.INTEGER, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'course_quotas' },
    );
  }
}
