import { AttendanceMark, Certificate, County, Course, CourseSession, Enrollment, User } from '../../src/models';
import type { AttendanceStatus } from '../../src/models/attendance-mark';
import type { Role, UserStatus } from '../../src/models/user';
import type { CourseStatus } from '../../src/models/course';
import type { EnrollmentStatus } from '../../src/models/enrollment';
import { hashPassword } from '../../src/lib/password';
import { searchKey } from '../../src/lib/persian';
import { addDaysIso, todayIso } from '../../src/lib/jalali';

export const PASSWORD = 'Test-Password-1405';
let passwordHash: Promise<string> | undefined;
let sequence = 0;
const next = () => ++sequence;

/** A checksum-valid national code derived from n (Kerman prefix 298). */
export function nationalCode(n: number): string {
  const body = `298${String((n * 7919 + 123_457) % 1_000_000).padStart(6, '0')}`;
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0) % 11;
  return body + String(sum < 2 ? sum : 11 - sum);
}

export async function countyBySlug(slug = 'kerman'): Promise<County> {
  const county = await County.findOne({ where: { slug } });
  if (!county) throw new Error(`no county ${slug}`);
  return county;
}

export async function createUser(
  overrides: Partial<{
    role: Role;
    status: UserStatus;
    username: string;
    fullName: string;
    fatherName: string;
    countySlug: string;
    nationalCode: string;
    mobile: string;
    password: string;
  }> = {},
): Promise<User> {
  const n = next();
  passwordHash ??= hashPassword(PASSWORD);
  const county = await countyBySlug(overrides.countySlug ?? 'kerman');
  const fullName = overrides.fullName ?? `رابط آزمایشی ${n}`;
  const username = overrides.username ?? `user${n}`;
  const code = overrides.nationalCode ?? nationalCode(n + 5000);
  return User.create({
    role: overrides.role ?? 'liaison',
    username,
    passwordHash: overrides.password ? await hashPassword(overrides.password) : await passwordHash,
    fullName,
    fatherName: overrides.fatherName ?? 'علی',
    nationalCode: overrides.role === 'admin' ? null : code,
    mobile: overrides.mobile ?? `0913${String(n).padStart(7, '0')}`,
    email: null,
    countyId: county.id,
    position: 'رابط روابط عمومی',
    status: overrides.status ?? 'active',
    searchKey: searchKey(`${fullName} ${username} ${code}`),
    lastLoginAt: null,
  });
}

export const createAdmin = (overrides: Parameters<typeof createUser>[0] = {}) => createUser({ role: 'admin', ...overrides });
export const createLiaison = (overrides: Parameters<typeof createUser>[0] = {}) => createUser({ role: 'liaison', ...overrides });

export async function createCourse(
  overrides: Partial<{
    code: string;
    title: string;
    capacity: number;
    status: CourseStatus;
    approval: 'auto' | 'manual';
    hours: number;
    enrollOpens: string;
    enrollCloses: string;
    minAttendance: number;
    instructorId: number | null;
    passMark: number | null;
    countExcused: boolean;
    category: string;
  }> = {},
): Promise<Course> {
  const n = next();
  const today = todayIso();
  const title = overrides.title ?? `دورهٔ آزمایشی ${n}`;
  return Course.create({
    code: overrides.code ?? `T-${n}`,
    title,
    category: overrides.category ?? 'خبرنویسی',
    description: null,
    instructorName: 'مدرس آزمایشی',
    instructorId: overrides.instructorId ?? null,
    delivery: 'in-person',
    place: 'سالن اجتماعات',
    link: null,
    capacity: overrides.capacity ?? 20,
    hours: overrides.hours ?? 8,
    enrollOpens: overrides.enrollOpens ?? today,
    enrollCloses: overrides.enrollCloses ?? addDaysIso(today, 5),
    minAttendance: overrides.minAttendance ?? 80,
    passMark: overrides.passMark ?? null,
    countExcused: overrides.countExcused ?? false,
    approval: overrides.approval ?? 'auto',
    status: overrides.status ?? 'open',
    searchKey: searchKey(title),
    createdBy: null,
  });
}

export async function createSession(
  course: Course,
  overrides: Partial<{ date: string; startTime: string; endTime: string; topic: string }> = {},
): Promise<CourseSession> {
  return CourseSession.create({
    courseId: course.id,
    date: overrides.date ?? addDaysIso(todayIso(), 7),
    startTime: overrides.startTime ?? '16:00',
    endTime: overrides.endTime ?? '18:00',
    topic: overrides.topic ?? 'جلسهٔ آزمایشی',
  });
}

/** Many active liaisons in one insert, sharing the factories' password, from Kerman and Bam in turn. */
export async function createLiaisons(n: number, prefix: string): Promise<User[]> {
  passwordHash ??= hashPassword(PASSWORD);
  const hash = await passwordHash;
  const [kerman, bam] = [await countyBySlug('kerman'), await countyBySlug('bam')];
  return User.bulkCreate(
    Array.from({ length: n }, (_, i) => ({
      role: 'liaison' as const,
      username: `${prefix}${i}`,
      passwordHash: hash,
      fullName: `رابط ${prefix} ${i}`,
      fatherName: 'علی',
      nationalCode: null,
      mobile: null,
      email: null,
      countyId: i % 2 ? bam.id : kerman.id,
      position: null,
      status: 'active' as const,
      searchKey: `${prefix}${i}`,
      lastLoginAt: null,
    })),
    { returning: true },
  );
}

export interface HeldCourseOptions {
  title?: string;
  code?: string;
  sessions?: number;
  passMark?: number | null;
  status?: 'finished' | 'running';
  minAttendance?: number;
}
export interface HeldLiaison {
  fullName?: string;
  present: number;
  mark?: number | null;
}

/** A course whose `sessions` sessions were held in the past, with these liaisons approved and marked by `recordedBy`. */
/** An enrollment of a liaison in a course, approved unless told otherwise, in the liaison's county. */
export async function enroll(
  course: { id: number },
  user: Pick<User, 'id' | 'countyId'>,
  overrides: Partial<{
    status: EnrollmentStatus;
    waitlistPosition: number | null;
    mark: number | null;
    reason: string | null;
    createdAt: Date;
  }> = {},
): Promise<Enrollment> {
  return Enrollment.create({
    courseId: course.id,
    userId: user.id,
    countyId: user.countyId,
    status: overrides.status ?? 'approved',
    waitlistPosition: overrides.waitlistPosition ?? null,
    mark: overrides.mark ?? null,
    changedBy: null,
    reason: overrides.reason ?? null,
    ...(overrides.createdAt ? { createdAt: overrides.createdAt } : {}),
  });
}

export async function createHeldCourse(recordedBy: number, opts: HeldCourseOptions = {}, liaisons: HeldLiaison[] = []) {
  const course = await createCourse({
    title: opts.title,
    code: opts.code,
    capacity: 200,
    hours: 12,
    passMark: opts.passMark ?? null,
    minAttendance: opts.minAttendance ?? 80,
    status: 'running',
    enrollOpens: addDaysIso(todayIso(), -30),
    enrollCloses: addDaysIso(todayIso(), -20),
  });
  const sessions = [];
  for (let i = 0; i < (opts.sessions ?? 5); i++) {
    sessions.push(await createSession(course, { date: addDaysIso(todayIso(), -10 + i), startTime: '09:00', endTime: '12:00' }));
  }
  const people = [];
  for (const spec of liaisons) {
    const user = await createLiaison({ fullName: spec.fullName });
    const enrollment = await enroll(course, user, { mark: spec.mark ?? null });
    for (const [i, session] of sessions.entries()) {
      const status: AttendanceStatus = i < spec.present ? 'present' : 'absent';
      await AttendanceMark.create({
        sessionId: session.id,
        enrollmentId: enrollment.id,
        status,
        note: null,
        recordedBy,
        recordedAt: new Date(),
      });
    }
    people.push({ user, enrollment });
  }
  if (opts.status !== 'running') await course.update({ status: 'finished' });
  return { course, sessions, people };
}

let certificateNumber = 0;

/** A certificate row as if issued (a placeholder PDF, no credential): for pages and reports that list certificates. */
export async function issuedCertificate(
  enrollment: { id: number },
  overrides: Partial<{ serial: string; code: string; issuedAt: Date; status: 'valid' | 'revoked'; statusReason: string | null }> = {},
): Promise<Certificate> {
  certificateNumber++;
  return Certificate.create({
    enrollmentId: enrollment.id,
    serial: overrides.serial ?? `KRM-TEST-${enrollment.id}-${certificateNumber}`,
    serialYear: 1405,
    serialNumber: 800000 + certificateNumber,
    code: overrides.code ?? `test-code-${enrollment.id}-${certificateNumber}`,
    issuedAt: overrides.issuedAt ?? new Date(),
    issuedBy: null,
    fields: '{}',
    template: null,
    pdf: Buffer.from('%PDF'),
    sha256: '0'.repeat(64),
    status: overrides.status ?? 'valid',
    statusReason: overrides.statusReason ?? null,
    statusChangedAt: null,
    supersededById: null,
    overrideReason: null,
  });
}
