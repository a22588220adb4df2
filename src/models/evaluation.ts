import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** The questions a course's evaluation asks (JSON), copied from the template when it opened. */
export class CourseEvaluation extends Model<InferAttributes<CourseEvaluation>, InferCreationAttributes<CourseEvaluation>> {
  declare courseId: number;
  declare questions: string;
  declare openedAt: Date;
  declare invitedAt: Date | null;

  static setUp(sequelize: Sequelize): void {
    CourseEvaluation.init(
      {
        courseId: { type: DataTypes.INTEGER, primaryKey: true },
        questions: { type: DataTypes.TEXT, allowNull: false },
        openedAt: { type: DataTypes.DATE, allowNull: false },
        invitedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'course_evaluations', timestamps: false },
    );
  }
}

/** Who answered a course's evaluation, and nothing else (no time, no id of its own). */
export class EvaluationRespondent extends Model<InferAttributes<EvaluationRespondent>, InferCreationAttributes<EvaluationRespondent>> {
  declare courseId: number;
  declare userId: number;

  static setUp(sequelize: Sequelize): void {
    EvaluationRespondent.init(
      {
        courseId: { type: DataTypes.INTEGER, primaryKey: true },
        userId: { type: DataTypes.INTEGER, primaryKey: true },
      },
      { sequelize, tableName: 'evaluation_respondents', timestamps: false },
    );
  }
}

/** What one person answered, under a random id: no user, enrollment or time. */
export class EvaluationAnswer extends Model<InferAttributes<EvaluationAnswer>, InferCreationAttributes<EvaluationAnswer>> {
  declare id: string;
  declare courseId: number;
  declare comment: string | null;
  declare topics: string | null;

  static setUp(sequelize: Sequelize): void {
    EvaluationAnswer.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        courseId: { type: DataTypes.INTEGER, allowNull: false },
        comment: DataTypes.TEXT,
        topics: DataTypes.TEXT,
      },
      { sequelize, tableName: 'evaluation_answers', timestamps: false },
    );
  }
}

/** One 1–5 score of an answer, per question key. */
export class EvaluationScore extends Model<InferAttributes<EvaluationScore>, InferCreationAttributes<EvaluationScore>> {
  declare answerId: string;
  declare item: string;
  declare courseId: number;
  declare score: number;

  static setUp(sequelize: Sequelize): void {
    EvaluationScore.init(
      {
        answerId: { type: DataTypes.STRING(36), primaryKey: true },
        item: { type: DataTypes.STRING(40), primaryKey: true },
        courseId: { type: DataTypes.INTEGER, allowNull: false },
        score: { type: DataTypes.INTEGER, allowNull: false },
      },
      { sequelize, tableName: 'evaluation_scores', timestamps: false },
    );
  }
}
