import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * After the classroom (issue 16): course materials and the evaluation survey.
 *
 * - `course_materials`: a file or a link on a course, with its title and place in the list; the
 *   bytes of a file are in `material_files` (one row each), so that listing materials never reads
 *   them, every instance serves them and the backup holds them.
 * - `course_evaluations`: the questions a course's evaluation asks, copied from the template when
 *   its evaluation opens (a later change of the template does not change what was asked), and when
 *   its liaisons were asked to answer.
 * - `evaluation_respondents`: who answered (course, user), nothing else: no time, no id of its own.
 *   On SQLite it is a WITHOUT ROWID table, kept in key order, so not even the order of the rows
 *   tells who answered when.
 * - `evaluation_answers` and `evaluation_scores`: what was answered, under a random id, with no
 *   user, enrollment or time. Nothing joins the two halves.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const sequelize = qi.sequelize;
  await qi.createTable('course_materials', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    course_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'courses', key: 'id' }, onDelete: 'CASCADE' },
    title: { type: DataTypes.STRING(200), allowNull: false },
    kind: { type: DataTypes.STRING(8), allowNull: false },
    url: { type: DataTypes.STRING(500), allowNull: true },
    file_name: { type: DataTypes.STRING(255), allowNull: true },
    content_type: { type: DataTypes.STRING(120), allowNull: true },
    size: { type: DataTypes.INTEGER, allowNull: true },
    sha256: { type: DataTypes.STRING(64), allowNull: true },
    position: { type: DataTypes.INTEGER, allowNull: false },
    created_by: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('course_materials', ['course_id', 'position'], { name: 'course_materials_course_position' });
  await qi.createTable('material_files', {
    material_id: {
      type: DataTypes.INTEGER,
      primaryKey: true,
      allowNull: false,
      references: { model: 'course_materials', key: 'id' },
      onDelete: 'CASCADE',
    },
    data: { type: DataTypes.BLOB('long'), allowNull: false },
  });

  await qi.createTable('course_evaluations', {
    course_id: {
      type: DataTypes.INTEGER,
      primaryKey: true,
      allowNull: false,
      references: { model: 'courses', key: 'id' },
      onDelete: 'CASCADE',
    },
    questions: { type: DataTypes.TEXT, allowNull: false },
    opened_at: { type: DataTypes.DATE, allowNull: false },
    invited_at: { type: DataTypes.DATE, allowNull: true },
  });
  if (sequelize.getDialect() === 'sqlite') {
    await sequelize.query(
      `CREATE TABLE evaluation_respondents (
         course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
         user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
         PRIMARY KEY (course_id, user_id)
       ) WITHOUT ROWID`,
    );
  } else {
    await sequelize.query(
      `CREATE TABLE evaluation_respondents (
         course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
         user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
         PRIMARY KEY (course_id, user_id)
       )`,
    );
  }
  await qi.createTable('evaluation_answers', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    course_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'courses', key: 'id' }, onDelete: 'CASCADE' },
    comment: { type: DataTypes.TEXT, allowNull: true },
    topics: { type: DataTypes.TEXT, allowNull: true },
  });
  await qi.addIndex('evaluation_answers', ['course_id'], { name: 'evaluation_answers_course' });
  await qi.createTable('evaluation_scores', {
    answer_id: {
      type: DataTypes.STRING(36),
      primaryKey: true,
      allowNull: false,
      references: { model: 'evaluation_answers', key: 'id' },
      onDelete: 'CASCADE',
    },
    item: { type: DataTypes.STRING(40), primaryKey: true, allowNull: false },
    course_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'courses', key: 'id' }, onDelete: 'CASCADE' },
    score: { type: DataTypes.INTEGER, allowNull: false },
  });
  await qi.addIndex('evaluation_scores', ['course_id', 'item'], { name: 'evaluation_scores_course_item' });
  await sequelize.query(
    sequelize.getDialect() === 'postgres'
      ? 'ALTER TABLE evaluation_scores ADD CONSTRAINT evaluation_scores_range CHECK (score BETWEEN 1 AND 5)'
      : `CREATE TRIGGER evaluation_scores_range BEFORE INSERT ON evaluation_scores
         WHEN NEW.score NOT BETWEEN 1 AND 5 BEGIN SELECT RAISE(ABORT, 'score out of range'); END`,
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('evaluation_scores');
  await qi.dropTable('evaluation_answers');
  await qi.dropTable('evaluation_respondents');
  await qi.dropTable('course_evaluations');
  await qi.dropTable('material_files');
  await qi.dropTable('course_materials');
}
