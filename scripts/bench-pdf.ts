/**
 * npm run bench:pdf — how fast certificates are made, on a scratch SQLite database:
 * the median time to render one certificate (through the PDF child process), certificates per
 * second for a bulk issue of 1,000 through the real issuing use case (render, serial, store), and
 * the peak RSS of this process while the 1,000 are streamed out as one ZIP. Prints JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config';
import { createServices } from '../src/services';
import { prepareDatabase } from '../src/db';
import { migrate } from '../src/db/migrator';
import { AttendanceMark, County, Course, CourseSession, Enrollment, User } from '../src/models';
import { addDaysIso, todayIso } from '../src/lib/jalali';
import { issueCertificates } from '../src/features/certificates/issuing';
import { streamCourseZip } from '../src/features/certificates/documents';
import {
  type CertificateFields,
  DEFAULT_SIGNATORIES,
  DIRECTORATE,
  OFFICE,
  printableFields,
  readTemplate,
} from '../src/features/certificates/fields';

const COUNT = Number(process.env.BENCH_COUNT ?? 1000);
const SINGLE_RENDERS = 200;

/** A checksum-valid national code for n. */
function nationalCode(n: number): string {
  const body = `29${String(n).padStart(7, '0')}`;
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0) % 11;
  return body + String(sum < 2 ? sum : 11 - sum);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-bench-pdf-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${path.join(dir, 'bench.db')}`,
    BASE_URL: 'https://rabet.example',
    RATE_LIMITS: 'off',
  });
  const services = createServices(config);
  await prepareDatabase(services.sequelize);
  await migrate(services.sequelize);
  const renderer = services.pdf;
  try {
    // 1. One certificate, warm.
    const template = await readTemplate(config.certificateTemplate);
    const fields: CertificateFields = {
      directorate: DIRECTORATE,
      office: OFFICE,
      fullName: 'محمدرضا سلیمانی‌نژاد',
      fatherName: 'علی',
      nationalCode: '2981234560',
      county: 'کرمان',
      courseTitle: 'عکاسی خبری ۲ (ویژه رابطین)',
      courseCode: 'AKS-202',
      hours: 16,
      startDate: '2026-11-16',
      endDate: '2026-11-20',
      jalaliStartDate: '1405/08/25',
      jalaliEndDate: '1405/08/29',
      attendancePercent: 90,
      mark: 18.5,
      signatories: DEFAULT_SIGNATORIES,
      issueDate: todayIso(),
      jalaliIssueDate: '',
      serial: 'KRM-1405-000123',
      verifyUrl: 'https://rabet.example/verify/AbCdEfGhIjKlMnOpQrStUv',
    };
    const times: number[] = [];
    for (let i = 0; i < SINGLE_RENDERS + 10; i++) {
      const started = performance.now();
      // Different values each time, as real certificates have: Typst memoizes identical compiles.
      const serial = `KRM-1405-${String(i + 1).padStart(6, '0')}`;
      const verifyUrl = `https://rabet.example/verify/${String(i).padStart(22, 'x')}`;
      await renderer.render({
        source: template.source,
        data: printableFields({ ...fields, serial, verifyUrl, fullName: `${fields.fullName} ${i}` }),
        qrText: verifyUrl,
      });
      if (i >= 10) times.push(performance.now() - started);
    }

    // 2. A finished course with COUNT eligible liaisons, issued in one bulk action.
    const county = (await County.findOne({ where: { slug: 'kerman' } }))!;
    const admin = await User.create({
      role: 'admin',
      username: 'benchadmin',
      passwordHash: 'x',
      fullName: 'مدیر',
      fatherName: null,
      nationalCode: null,
      mobile: null,
      email: null,
      countyId: null,
      position: null,
      status: 'active',
      searchKey: '',
      lastLoginAt: null,
    });
    const course = await Course.create({
      code: 'BENCH-1',
      title: 'عکاسی خبری ۲ (ویژه رابطین)',
      category: 'عکاسی',
      description: null,
      instructorName: null,
      instructorId: null,
      delivery: 'in-person',
      place: null,
      link: null,
      capacity: COUNT,
      hours: 16,
      enrollOpens: addDaysIso(todayIso(), -30),
      enrollCloses: addDaysIso(todayIso(), -20),
      minAttendance: 80,
      passMark: null,
      countExcused: false,
      approval: 'auto',
      status: 'running',
      searchKey: '',
      createdBy: admin.id,
    });
    const session = await CourseSession.create({
      courseId: course.id,
      date: addDaysIso(todayIso(), -10),
      startTime: '09:00',
      endTime: '12:00',
      topic: 'جلسه',
    });
    const users = await User.bulkCreate(
      Array.from({ length: COUNT }, (_, i) => ({
        role: 'liaison' as const,
        username: `bench${i}`,
        passwordHash: 'x',
        fullName: `رابط شماره ${i + 1} سلیمانی‌نژاد`,
        fatherName: 'علی',
        nationalCode: nationalCode(i + 1),
        mobile: null,
        email: null,
        countyId: county.id,
        position: null,
        status: 'active' as const,
        searchKey: '',
        lastLoginAt: null,
      })),
    );
    const enrollments = await Enrollment.bulkCreate(
      users.map((u) => ({
        courseId: course.id,
        userId: u.id,
        countyId: county.id,
        status: 'approved' as const,
        waitlistPosition: null,
        mark: null,
        changedBy: null,
        reason: null,
      })),
    );
    await AttendanceMark.bulkCreate(
      enrollments.map((e) => ({
        sessionId: session.id,
        enrollmentId: e.id,
        status: 'present' as const,
        note: null,
        recordedBy: admin.id,
        recordedAt: new Date(),
      })),
    );
    await course.update({ status: 'finished' });
    const childrenBefore = renderer.childrenStarted;
    const issueStarted = performance.now();
    const issued = await issueCertificates({ ...services, config, actor: { id: admin.id } }, course.id);
    const issueSeconds = (performance.now() - issueStarted) / 1000;
    if (issued.length !== COUNT) throw new Error(`issued ${issued.length} of ${COUNT}`);

    // 3. The ZIP of all of them, streamed to nowhere, sampling this process's RSS.
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    let zipBytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        zipBytes += chunk.length;
        peak = Math.max(peak, process.memoryUsage().rss);
        callback();
      },
    });
    const zipStarted = performance.now();
    await streamCourseZip(course.id, sink, () => undefined);
    const zipSeconds = (performance.now() - zipStarted) / 1000;
    clearInterval(sampler);

    console.log(
      JSON.stringify(
        {
          renderOneCertificateMedianMs: Math.round(median(times) * 100) / 100,
          renderSamples: times.length,
          bulkIssue: {
            certificates: COUNT,
            seconds: Math.round(issueSeconds * 100) / 100,
            certificatesPerSecond: Math.round((COUNT / issueSeconds) * 10) / 10,
            pdfChildProcessesStarted: renderer.childrenStarted - childrenBefore,
          },
          zip: {
            certificates: COUNT,
            seconds: Math.round(zipSeconds * 100) / 100,
            zipMb: mb(zipBytes),
            rssBeforeMb: mb(rssBefore),
            peakRssMb: mb(peak),
          },
          database: 'sqlite (scratch file)',
          node: process.version,
        },
        null,
        2,
      ),
    );
  } finally {
    await renderer.close();
    await services.sequelize.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
