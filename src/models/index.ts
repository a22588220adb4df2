import type { Sequelize } from 'sequelize';
import { AttendanceMark } from './attendance-mark';
import { AuditEvent } from './audit-event';
import { Certificate } from './certificate';
import { County } from './county';
import { Course } from './course';
import { CourseMaterial, MaterialFile } from './course-material';
import { CourseQuota } from './course-quota';
import { CourseSession } from './course-session';
import { Enrollment } from './enrollment';
import { CourseEvaluation, EvaluationAnswer, EvaluationRespondent, EvaluationScore } from './evaluation';
import { Holiday } from './holiday';
import { Notification } from './notification';
import { OutboxMessage } from './outbox-message';
import { RateLimit } from './rate-limit';
import { Setting } from './setting';
import { User } from './user';

/** Registers every model on this Sequelize instance and wires the associations. */
export function setUpModels(sequelize: Sequelize): void {
  for (const model of [
    County,
    User,
    Setting,
    Course,
    CourseQuota,
    CourseSession,
    Enrollment,
    AttendanceMark,
    Certificate,
    AuditEvent,
    Notification,
    OutboxMessage,
    RateLimit,
    Holiday,
    CourseMaterial,
    MaterialFile,
    CourseEvaluation,
    EvaluationRespondent,
    EvaluationAnswer,
    EvaluationScore,
  ]) {
    model.setUp(sequelize);
  }
  User.belongsTo(County, { as: 'county', foreignKey: 'countyId' });
  County.hasMany(User, { as: 'users', foreignKey: 'countyId' });

  Course.belongsTo(User, { as: 'instructor', foreignKey: 'instructorId' });
  Course.belongsTo(User, { as: 'creator', foreignKey: 'createdBy' });
  Course.hasMany(CourseSession, { as: 'sessions', foreignKey: 'courseId' });
  CourseSession.belongsTo(Course, { as: 'course', foreignKey: 'courseId' });
  Course.hasMany(CourseQuota, { as: 'quotas', foreignKey: 'courseId' });
  CourseQuota.belongsTo(County, { as: 'county', foreignKey: 'countyId' });
  CourseQuota.belongsTo(Course, { as: 'course', foreignKey: 'courseId' });

  Course.hasMany(Enrollment, { as: 'enrollments', foreignKey: 'courseId' });
  Enrollment.belongsTo(Course, { as: 'course', foreignKey: 'courseId' });
  Enrollment.belongsTo(User, { as: 'user', foreignKey: 'userId' });
  Enrollment.belongsTo(County, { as: 'county', foreignKey: 'countyId' });
  Enrollment.belongsTo(User, { as: 'changer', foreignKey: 'changedBy' });
  User.hasMany(Enrollment, { as: 'enrollments', foreignKey: 'userId' });

  AttendanceMark.belongsTo(CourseSession, { as: 'session', foreignKey: 'sessionId' });
  AttendanceMark.belongsTo(Enrollment, { as: 'enrollment', foreignKey: 'enrollmentId' });
  AttendanceMark.belongsTo(User, { as: 'recorder', foreignKey: 'recordedBy' });
  CourseSession.hasMany(AttendanceMark, { as: 'marks', foreignKey: 'sessionId' });
  Enrollment.hasMany(AttendanceMark, { as: 'marks', foreignKey: 'enrollmentId' });

  Certificate.belongsTo(Enrollment, { as: 'enrollment', foreignKey: 'enrollmentId' });
  Certificate.belongsTo(User, { as: 'issuer', foreignKey: 'issuedBy' });
  Certificate.belongsTo(Certificate, { as: 'supersededBy', foreignKey: 'supersededById' });
  Enrollment.hasMany(Certificate, { as: 'certificates', foreignKey: 'enrollmentId' });

  AuditEvent.belongsTo(User, { as: 'actor', foreignKey: 'actorId' });
  Notification.belongsTo(User, { as: 'user', foreignKey: 'userId' });

  CourseMaterial.belongsTo(Course, { as: 'course', foreignKey: 'courseId' });
  CourseMaterial.belongsTo(User, { as: 'creator', foreignKey: 'createdBy' });
}

export {
  AttendanceMark,
  CourseEvaluation,
  CourseMaterial,
  EvaluationAnswer,
  EvaluationRespondent,
  EvaluationScore,
  MaterialFile,
  AuditEvent,
  Certificate,
  County,
  Course,
  CourseQuota,
  CourseSession,
  Enrollment,
  Holiday,
  Notification,
  OutboxMessage,
  RateLimit,
  Setting,
  User,
};
