import { DataTypes, Model } from 'sequelize';
import type { CreationOptional, ForeignKey, InferAttributes, InferCreationAttributes, NonAttribute, Sequelize } from 'sequelize';
import type { Course } from './course';
import type { User } from './user';
import type { County } from './county';

export type EnrollmentStatus = 'pending' | 'approved' | 'waitlisted' | 'rejected' | 'cancelled';

export class Enrollment extends Model<InferAttributes<Enrollment>, InferCreationAttributes<Enrollment>> {
  declare id: CreationOptional<number>;
  declare courseId: ForeignKey<Course['id']>;
  declare userId: ForeignKey<User['id']>;
  declare countyId: ForeignKey<County['id']> | null;
  declare status: EnrollmentStatus;
  declare waitlistPosition: number | null;
  declare mark: number | string | null;
  declare changedBy: ForeignKey<User['id']> | null;
  declare reason: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare course?: NonAttribute<Course>;
  declare user?: NonAttribute<User>;
  declare county?: NonAttribute<County | null>;

  static setUp(sequelize: Sequelize): void {
    Enrollment.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        status: { type: DataTypes.STRING(16), allowNull: false },
        waitlistPosition: DataTypes.INTEGER,
        mark: DataTypes.DECIMAL(5, 2),
        reason: DataTypes.STRING(500),
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'enrollments' },
    );
  }
}
