import { QueryTypes, type Sequelize } from 'sequelize';
import type { CurrentUser } from '../../middleware/auth';
import { NotFoundError } from '../../lib/errors';
import { formatNumber } from '../../lib/persian';
import type { MaterialKind } from '../../models/course-material';
import { canSeeMaterials } from './rules';

export interface MaterialView {
  id: number;
  title: string;
  kind: MaterialKind;
  url: string | null;
  fileName: string | null;
  contentType: string | null;
  sizeText: string | null;
  href: string;
}

interface MaterialRow {
  id: number;
  title: string;
  kind: MaterialKind;
  url: string | null;
  file_name: string | null;
  content_type: string | null;
  size: number | null;
}

function sizeText(bytes: number | null): string | null {
  if (bytes === null) return null;
  if (bytes < 1024 * 1024) return `${formatNumber(Math.max(1, Math.round(bytes / 1024)))} کیلوبایت`;
  return `${formatNumber(Math.round((bytes / 1024 / 1024) * 10) / 10)} مگابایت`;
}

function present(row: MaterialRow): MaterialView {
  const kind = row.kind;
  return {
    id: Number(row.id),
    title: row.title,
    kind,
    url: row.url,
    fileName: row.file_name,
    contentType: row.content_type,
    sizeText: sizeText(row.size === null ? null : Number(row.size)),
    href: kind === 'link' ? (row.url ?? '#') : `/materials/${row.id}`,
  };
}

/** A course's materials in their order: the list only, never a file's bytes. */
export async function materialsOf(sequelize: Sequelize, courseId: number): Promise<MaterialView[]> {
  const rows = await sequelize.query<MaterialRow>(
    `SELECT id, title, kind, url, file_name, content_type, size FROM course_materials
      WHERE course_id = :courseId ORDER BY position, id`,
    { type: QueryTypes.SELECT, replacements: { courseId } },
  );
  return rows.map(present);
}

/** The course as the materials rules need it, with this user's enrollment status in it. */
export async function courseAccess(sequelize: Sequelize, courseId: number, userId: number | null) {
  const [row] = await sequelize.query<{ id: number; title: string; instructor_id: number | null; status: string; mine: string | null }>(
    `SELECT c.id, c.title, c.instructor_id, c.status, e.status AS mine
       FROM courses c LEFT JOIN enrollments e ON e.course_id = c.id AND e.user_id = :userId
      WHERE c.id = :courseId`,
    { type: QueryTypes.SELECT, replacements: { courseId, userId: userId ?? 0 } },
  );
  if (!row) return null;
  return {
    id: Number(row.id),
    title: row.title,
    status: row.status,
    instructorId: row.instructor_id === null ? null : Number(row.instructor_id),
    enrollmentStatus: row.mine,
  };
}

/** The materials of a course page for this visitor: none unless the rules let them see them. */
export async function visibleMaterials(sequelize: Sequelize, courseId: number, user: CurrentUser | undefined): Promise<MaterialView[]> {
  if (!user) return [];
  const course = await courseAccess(sequelize, courseId, user.id);
  if (!course || !canSeeMaterials(user, course, course.enrollmentStatus)) return [];
  return materialsOf(sequelize, courseId);
}

export interface DownloadableMaterial {
  id: number;
  courseId: number;
  kind: MaterialKind;
  url: string | null;
  fileName: string | null;
  contentType: string | null;
  size: number;
}

/** One material this user may download, without its bytes; anyone who may not gets a 404. */
export async function materialFor(sequelize: Sequelize, id: number, user: CurrentUser): Promise<DownloadableMaterial> {
  const [row] = await sequelize.query<{
    id: number;
    course_id: number;
    kind: MaterialKind;
    url: string | null;
    file_name: string | null;
    content_type: string | null;
    size: number | null;
    instructor_id: number | null;
    mine: string | null;
  }>(
    `SELECT m.id, m.course_id, m.kind, m.url, m.file_name, m.content_type, m.size, c.instructor_id, e.status AS mine
       FROM course_materials m
       JOIN courses c ON c.id = m.course_id
       LEFT JOIN enrollments e ON e.course_id = c.id AND e.user_id = :userId
      WHERE m.id = :id`,
    { type: QueryTypes.SELECT, replacements: { id, userId: user.id } },
  );
  const course = row && { instructorId: row.instructor_id === null ? null : Number(row.instructor_id) };
  if (!row || !canSeeMaterials(user, course!, row.mine)) throw new NotFoundError('این فایل پیدا نشد.');
  return {
    id: Number(row.id),
    courseId: Number(row.course_id),
    kind: row.kind,
    url: row.url,
    fileName: row.file_name,
    contentType: row.content_type,
    size: Number(row.size ?? 0),
  };
}

/** How much of a stored file one query reads: a download holds at most this much of it in memory. */
export const CHUNK_BYTES = 1024 * 1024;

/** Bytes [offset, offset + length) of a material's file, read in the database (substr of the BLOB). */
export async function fileChunk(sequelize: Sequelize, id: number, offset: number, length: number): Promise<Buffer> {
  const slice = sequelize.getDialect() === 'postgres' ? 'substring(data from :start for :length)' : 'substr(data, :start, :length)';
  const [row] = await sequelize.query<{ chunk: Buffer | null }>(`SELECT ${slice} AS chunk FROM material_files WHERE material_id = :id`, {
    type: QueryTypes.SELECT,
    replacements: { id, start: offset + 1, length },
  });
  return row?.chunk ? Buffer.from(row.chunk) : Buffer.alloc(0);
}
