import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class County extends Model<InferAttributes<County>, InferCreationAttributes<County>> {
  declare id: CreationOptional<number>;
  declare slug: string;
  declare name: string;
  declare nameEn: string | null;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static setUp(sequelize: Sequelize): void {
    County.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        slug: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        name: { type: DataTypes.STRING(100), allowNull: false },
        nameEn: { type: DataTypes.STRING(100) },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'counties' },
    );
  }
}
