import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import type { Services } from '../../services';
import { requireLogin, requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { FormError, type FieldErrors } from '../../lib/errors';
import { attachmentHeader } from '../../lib/file-types';
import { parseForm, typedValues } from '../../lib/forms';
import { idParam } from '../../lib/params';
import { toPersianDigits } from '../../lib/persian';
import { actorOf } from '../../services/audit';
import { CHUNK_BYTES, fileChunk, materialFor, materialsOf } from './queries';
import { MAX_MATERIAL_BYTES, materialSchema, moveSchema } from './schemas';
import { addMaterial, courseToManage, deleteMaterial, moveMaterial } from './service';

const upload = multer({
  storage: multer.memoryStorage(),
  // Browsers send a file's name in UTF-8 (a Persian name would otherwise arrive as Latin-1 mojibake).
  defParamCharset: 'utf8',
  limits: { fileSize: MAX_MATERIAL_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024 },
}).single('file');

/** Runs multer (a form without a file, or not multipart at all, passes through); its refusals are messages next to the file field. */
function receiveFile(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    upload(req, res, (err: unknown) => {
      if (!err) return resolve();
      if (err instanceof multer.MulterError) {
        const tooBig = err.code === 'LIMIT_FILE_SIZE';
        const message = tooBig
          ? `حجم هر فایل حداکثر ${toPersianDigits(MAX_MATERIAL_BYTES / 1024 / 1024)} مگابایت است.`
          : 'فایل بارگذاری‌شده پذیرفته نشد؛ یک فایل در فیلد «فایل» بفرستید.';
        return reject(new FormError({ file: message }, tooBig ? 413 : 400));
      }
      reject(new FormError({ file: 'بارگذاری فایل کامل نشد؛ دوباره بفرستید.' }));
    });
  });
}

/** Streams a stored file a chunk (one query) at a time, waiting for the client to take each one. */
async function streamFile(res: Response, services: Services, id: number, size: number): Promise<void> {
  for (let offset = 0; offset < size && !res.destroyed; offset += CHUNK_BYTES) {
    const chunk = await fileChunk(services.sequelize, id, offset, Math.min(CHUNK_BYTES, size - offset));
    if (!chunk.length) break;
    if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
  }
  res.end();
}

/** Course materials: the staff page that adds, orders and deletes them, and the download. */
export function materialRoutes(services: Services): Router {
  const { sequelize } = services;
  const router = Router();
  const staff = requireRole('admin', 'instructor');

  async function renderPage(req: Request, res: Response, courseId: number, status = 200, errors: FieldErrors = {}, values = {}) {
    const course = await courseToManage(sequelize, courseId, req.user!);
    res.status(status).render('materials/index', {
      title: `مواد آموزشی ${course.title}`,
      course,
      materials: await materialsOf(sequelize, course.id),
      maxMegabytes: MAX_MATERIAL_BYTES / 1024 / 1024,
      errors,
      values,
    });
  }

  router.get('/admin/courses/:id/materials', staff, async (req, res) => {
    await renderPage(req, res, idParam(req.params.id));
  });

  router.post('/admin/courses/:id/materials', staff, async (req, res) => {
    const courseId = idParam(req.params.id);
    await courseToManage(sequelize, courseId, req.user!);
    try {
      await receiveFile(req, res);
      const input = parseForm(materialSchema, req.body ?? {});
      const file = req.file ? { originalname: req.file.originalname, buffer: req.file.buffer } : null;
      await addMaterial(sequelize, req.user!, actorOf(req), courseId, { ...input, file });
      flash(req, 'success', file ? 'فایل افزوده شد.' : 'پیوند افزوده شد.');
      res.redirect(303, `/admin/courses/${courseId}/materials`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderPage(req, res, courseId, err.status, err.fields, typedValues(req.body ?? {}));
    }
  });

  router.post('/admin/materials/:id/delete', staff, async (req, res) => {
    const courseId = await deleteMaterial(sequelize, req.user!, actorOf(req), idParam(req.params.id));
    flash(req, 'success', 'حذف شد.');
    res.redirect(303, `/admin/courses/${courseId}/materials`);
  });

  router.post('/admin/materials/:id/move', staff, async (req, res) => {
    const id = idParam(req.params.id);
    const { direction } = parseForm(moveSchema, req.body);
    const courseId = await moveMaterial(sequelize, req.user!, id, direction);
    res.redirect(303, `/admin/courses/${courseId}/materials`);
  });

  router.get('/materials/:id', requireLogin, async (req, res) => {
    const material = await materialFor(sequelize, idParam(req.params.id, 'این فایل پیدا نشد.'), req.user!);
    res.set('Cache-Control', 'private');
    if (material.kind === 'link') return res.redirect(303, material.url ?? '/');
    res.set({
      'Content-Type': material.contentType ?? 'application/octet-stream',
      'Content-Length': String(material.size),
      'Content-Disposition': attachmentHeader(material.fileName ?? 'file'),
      'X-Content-Type-Options': 'nosniff',
    });
    await streamFile(res, services, material.id, material.size);
  });

  return router;
}
