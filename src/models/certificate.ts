import { DataTypes, Model } from 'sequelize';
import type { CreationOptional, ForeignKey, InferAttributes, InferCreationAttributes, NonAttribute, Sequelize } from 'sequelize';
import type { Enrollment } from './enrollment';
import type { User } from './user';

export type CertificateStatus = 'valid' | 'revoked' | 'superseded';

export class Certificate extends Model<InferAttributes<Certificate>, InferCreationAttributes<Certificate>> {
  declare id: CreationOptional<number>;
  declare enrollmentId: ForeignKey<Enrollment['id']>;
  declare serial: string;
  declare serialYear: number;
  declare serialNumber: number;
  declare code: string;
  declare issuedAt: Date;
  declare issuedBy: ForeignKey<User['id']> | null;
  /** JSON of everything printed, frozen at issue. */
  declare fields: string;
  declare template: string | null;
  declare pdf: Buffer;
  declare sha256: string;
  declare status: CreationOptional<CertificateStatus>;
  declare statusReason: string | null;
  declare statusChangedAt: Date | null;
  declare supersededById: ForeignKey<Certificate['id']> | null;
  declare overrideReason: string | null;
  /** Set when the attendance behind it was corrected after the course finished: reissue it. */
  declare reissueReason: CreationOptional<string | null>;
  /** The signed Open Badges 3.0 credential (JSON), frozen at issue like the PDF; null before issue 18. */
  declare credential: CreationOptional<string | null>;
  /** This certificate's bit in the issuer's Bitstring Status Lists (revocation). */
  declare statusListIndex: CreationOptional<number | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare enrollment?: NonAttribute<Enrollment>;

  static setUp(sequelize: Sequelize): void {
    Certificate.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        serial: { type: DataTypes.STRING(32), allowNull: false, unique: true },
        serialYear: { type: DataTypes.INTEGER, allowNull: false },
        serialNumber: { type: DataTypes.INTEGER, allowNull: false },
        code: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        issuedAt: { type: DataTypes.DATE, allowNull: false },
        fields: { type: DataTypes.TEXT, allowNull: false },
        template: DataTypes.STRING(200),
        pdf: { type: DataTypes.BLOB, allowNull: false },
        sha256: { type: DataTypes.STRING(64), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'valid' },
        statusReason: DataTypes.STRING(500),
        statusChangedAt: DataTypes.DATE,
        overrideReason: DataTypes.STRING(500),
        reissueReason: DataTypes.STRING(600),
        credential: DataTypes.TEXT,
        statusListIndex: { type: DataTypes.INTEGER, unique: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'certificates' },
    );
  }
}
