import { DataTypes, Model } from 'sequelize';
import type { CreationOptional, ForeignKey, InferAttributes, InferCreationAttributes, Sequelize } from 'sequelize';
import type { Course } from './course';
import type { User } from './user';

export type MaterialKind = 'file' | 'link';

/** A file or a link on a course, in the course's order; a file's bytes are its MaterialFile. */
export class CourseMaterial extends Model<InferAttributes<CourseMaterial>, InferCreationAttributes<CourseMaterial>> {
  declare id: CreationOptional<number>;
  declare courseId: ForeignKey<Course['id']>;
  declare title: string;
  declare kind: MaterialKind;
  declare url: string | null;
  declare fileName: string | null;
  declare contentType: string | null;
  declare size: number | null;
  declare sha256: string | null;
  declare position: number;
  declare createdBy: ForeignKey<User['id']> | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static setUp(sequelize: Sequelize): void {
    CourseMaterial.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        title: { type: DataTypes.STRING(200), allowNull: false },
        kind: { type: DataTypes.STRING(8), allowNull: false },
        url: DataTypes.STRING(500),
        fileName: DataTypes.STRING(255),
        contentType: DataTypes.STRING(120),
        size: DataTypes.INTEGER,
        sha256: DataTypes.STRING(64),
        position: { type: DataTypes.INTEGER, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'course_materials' },
    );
  }
}

/** The bytes of a file material, apart from the list so that listing never reads them. */
export class MaterialFile extends Model<InferAttributes<MaterialFile>, InferCreationAttributes<MaterialFile>> {
  declare materialId: number;
  declare data: Buffer;

  static setUp(sequelize: Sequelize): void {
    MaterialFile.init(
      {
        materialId: { type: DataTypes.INTEGER, primaryKey: true },
        data: { type: DataTypes.BLOB('long'), allowNull: false },
      },
      { sequelize, tableName: 'material_files', timestamps: false },
    );
  }
}
