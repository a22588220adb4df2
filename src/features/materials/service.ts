import crypto from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { FormError, ForbiddenError, NotFoundError } from '../../lib/errors';
import { detectFileType, downloadName } from '../../lib/file-types';
import { normalizeText } from '../../lib/persian';
import type { CurrentUser } from '../../middleware/auth';
import { CourseMaterial, MaterialFile } from '../../models';
import { recordAudit, type Actor } from '../../services/audit';
import { courseAccess } from './queries';
import { canManageMaterials } from './rules';

export interface UploadedFile {
  originalname: string;
  buffer: Buffer;
}

export interface MaterialInput {
  title: string;
  url: string | null;
  file: UploadedFile | null;
}

const REFUSED_TYPE = 'این نوع فایل پذیرفته نیست؛ فقط PDF، اسلاید و سند (Word، PowerPoint، Excel) و تصویر (PNG، JPEG، GIF، WebP).';

/** The course, when this user may manage its materials (an instructor of another course gets 403). */
export async function courseToManage(sequelize: Sequelize, courseId: number, user: CurrentUser) {
  const course = await courseAccess(sequelize, courseId, null);
  if (!course) throw new NotFoundError('دوره پیدا نشد.');
  if (!canManageMaterials(user, course)) throw new ForbiddenError();
  return course;
}

/** The name a file keeps: what the browser sent, without any folder, control character or bidi mark. */
function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = normalizeText(base).slice(0, 200);
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

/**
 * An admin or the course's instructor adds a file (typed by its content) or a link to a course;
 * it goes last in the course's list. The file's bytes are stored in the database.
 */
export async function addMaterial(sequelize: Sequelize, user: CurrentUser, actor: Actor, courseId: number, input: MaterialInput) {
  const course = await courseToManage(sequelize, courseId, user);
  if (input.file && input.url) throw new FormError({ url: 'یا فایل بگذارید یا نشانی؛ هر دو با هم پذیرفته نیست.' });
  if (!input.file && !input.url) throw new FormError({ file: 'فایلی انتخاب کنید یا نشانی پیوند را بنویسید.' });
  let file: { name: string; mime: string; data: Buffer; sha256: string } | null = null;
  if (input.file) {
    if (!input.file.buffer.length) throw new FormError({ file: 'فایل انتخاب‌شده خالی است.' });
    const name = cleanFileName(input.file.originalname);
    const type = await detectFileType(input.file.buffer, name);
    if (!type) throw new FormError({ file: REFUSED_TYPE });
    file = {
      name: downloadName(name, type),
      mime: type.mime,
      data: input.file.buffer,
      sha256: crypto.createHash('sha256').update(input.file.buffer).digest('hex'),
    };
  }
  return sequelize.transaction(async (transaction) => {
    const [last] = await sequelize.query<{ position: number | null }>(
      'SELECT MAX(position) AS position FROM course_materials WHERE course_id = :courseId',
      { type: QueryTypes.SELECT, replacements: { courseId: course.id }, transaction },
    );
    const material = await CourseMaterial.create(
      {
        courseId: course.id,
        title: input.title,
        kind: file ? 'file' : 'link',
        url: file ? null : input.url,
        fileName: file?.name ?? null,
        contentType: file?.mime ?? null,
        size: file?.data.length ?? null,
        sha256: file?.sha256 ?? null,
        position: Number(last?.position ?? 0) + 1,
        createdBy: actor.id,
      },
      { transaction },
    );
    if (file) await MaterialFile.create({ materialId: material.id, data: file.data }, { transaction });
    await recordAudit(
      sequelize,
      actor,
      'material.add',
      { type: 'course_material', id: material.id },
      {
        courseId: course.id,
        title: input.title,
        fileName: file?.name ?? null,
        size: file?.data.length ?? null,
        url: file ? null : input.url,
      },
      transaction,
    );
    return material;
  });
}

async function materialToManage(sequelize: Sequelize, id: number, user: CurrentUser) {
  const material = await CourseMaterial.findByPk(id, {
    attributes: ['id', 'courseId', 'title', 'kind', 'url', 'fileName', 'size', 'sha256', 'position'],
  });
  if (!material) throw new NotFoundError('این فایل پیدا نشد.');
  await courseToManage(sequelize, material.courseId, user);
  return material;
}

/** Deletes a material and its file, audited with what it was. Returns the course's id. */
export async function deleteMaterial(sequelize: Sequelize, user: CurrentUser, actor: Actor, id: number): Promise<number> {
  const material = await materialToManage(sequelize, id, user);
  await sequelize.transaction(async (transaction) => {
    await MaterialFile.destroy({ where: { materialId: material.id }, transaction });
    await material.destroy({ transaction });
    await recordAudit(
      sequelize,
      actor,
      'material.delete',
      { type: 'course_material', id: material.id },
      {
        courseId: material.courseId,
        title: material.title,
        kind: material.kind,
        fileName: material.fileName,
        size: material.size,
        sha256: material.sha256,
        url: material.url,
      },
      transaction,
    );
  });
  return material.courseId;
}

/** Moves a material one place up or down in its course's list (swaps it with its neighbour). */
export async function moveMaterial(sequelize: Sequelize, user: CurrentUser, id: number, direction: 'up' | 'down'): Promise<number> {
  const material = await materialToManage(sequelize, id, user);
  await sequelize.transaction(async (transaction) => {
    const list = await CourseMaterial.findAll({
      where: { courseId: material.courseId },
      attributes: ['id', 'position'],
      order: [
        ['position', 'ASC'],
        ['id', 'ASC'],
      ],
      transaction,
    });
    const at = list.findIndex((m) => m.id === material.id);
    const to = direction === 'up' ? at - 1 : at + 1;
    if (at < 0 || to < 0 || to >= list.length) return;
    // Positions are renumbered 1..n in the new order, so that equal positions never stall a move.
    [list[at], list[to]] = [list[to], list[at]];
    for (const [i, m] of list.entries()) {
      if (m.position !== i + 1) await CourseMaterial.update({ position: i + 1 }, { where: { id: m.id }, transaction });
    }
  });
  return material.courseId;
}
