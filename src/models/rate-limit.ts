import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** A fixed-window counter shared by every app instance. */
export class RateLimit extends Model<InferAttributes<RateLimit>, InferCreationAttributes<RateLimit>> {
  declare key: string;
  declare hits: number;
  declare resetAt: Date;

  static setUp(sequelize: Sequelize): void {
    RateLimit.init(
      {
        key: { type: DataTypes.STRING(200), primaryKey: true },
        hits: { type: DataTypes.INTEGER, allowNull: false },
        resetAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'rate_limits', timestamps: false },
    );
  }
}
