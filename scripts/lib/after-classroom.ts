import { QueryTypes } from 'sequelize';
import type { Services } from '../../src/services';
import type { CurrentUser } from '../../src/middleware/auth';
import { addMaterial } from '../../src/features/materials/service';
import { answerEvaluation, evaluationFor } from '../../src/features/evaluations/service';
import type { Rng } from './random';

/** A one-page PDF, enough for a material a liaison downloads. */
const HANDOUT = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj ' +
    '3 0 obj<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

const COMMENTS = ['مثال‌ها کاربردی بود.', 'زمان تمرین کم بود.', 'جزوه‌ها را زودتر بفرستید.', null, 'سالن گرم بود.', null];
const TOPICS = ['تولید ویدئو', 'عکاسی با گوشی', 'روابط عمومی الکترونیک', 'خبرنویسی', null];

/**
 * The demo's materials and evaluation answers, through the features' own use cases: each finished
 * course gets a handout and a link, and most of its approved liaisons answer its evaluation.
 */
export async function seedDemoAfterClassroom(
  services: Services,
  adminId: number,
  courseIds: number[],
  r: Rng,
  log: (line: string) => void,
): Promise<void> {
  const { sequelize, evaluationSettings } = services;
  const admin: CurrentUser = {
    id: adminId,
    role: 'admin',
    username: 'demo-admin',
    fullName: 'مدیر نمونه',
    countyId: null,
    status: 'active',
    unreadNotifications: 0,
  };
  const actor = { id: adminId, ip: null };
  let materials = 0;
  let answers = 0;
  for (const courseId of courseIds) {
    await addMaterial(sequelize, admin, actor, courseId, {
      title: 'جزوهٔ دوره',
      url: null,
      file: { originalname: 'جزوهٔ دوره.pdf', buffer: HANDOUT },
    });
    await addMaterial(sequelize, admin, actor, courseId, { title: 'ضبط کلاس برخط', url: 'https://vc.example.ir/room/demo', file: null });
    materials += 2;
    const liaisons = await sequelize.query<{ id: number; username: string; full_name: string; county_id: number | null }>(
      `SELECT u.id, u.username, u.full_name, u.county_id FROM enrollments e JOIN users u ON u.id = e.user_id
        WHERE e.course_id = :courseId AND e.status = 'approved' ORDER BY e.id`,
      { type: QueryTypes.SELECT, replacements: { courseId } },
    );
    for (const [i, l] of liaisons.entries()) {
      if (i % 4 === 3) continue; // not everyone answers
      const user: CurrentUser = {
        id: Number(l.id),
        role: 'liaison',
        username: l.username,
        fullName: l.full_name,
        countyId: l.county_id,
        status: 'active',
        unreadNotifications: 0,
      };
      const { questions } = await evaluationFor(sequelize, evaluationSettings, courseId, user);
      const q = Object.fromEntries(questions.items.map(({ key }) => [key, String(r.int(3, 5))]));
      await answerEvaluation(sequelize, evaluationSettings, courseId, user, {
        q,
        comment: r.pick(COMMENTS) ?? '',
        topics: r.pick(TOPICS) ?? '',
      });
      answers++;
    }
  }
  log(`${materials} materials and ${answers} evaluation answers through the materials and evaluations features`);
}
