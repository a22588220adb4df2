import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { UniqueConstraintError } from 'sequelize';
import { z } from 'zod';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { FormError } from '../../lib/errors';
import { toPersianDigits } from '../../lib/persian';
import { actorOf } from '../../services/audit';
import {
  credentialsCsv,
  importLiaisons,
  MAX_IMPORT_BYTES,
  previewImport,
  readImportFile,
  recheckPreview,
  type ImportPreview,
} from './import';

declare module 'express-session' {
  interface SessionData {
    /** The checked rows of an uploaded file, waiting for the admin to confirm the import. */
    liaisonImport?: ImportPreview;
  }
}

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5 } }).single('file');

/** Runs multer; a file too big or a malformed upload becomes a message next to the file field. */
function receiveFile(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    upload(req, res, (err: unknown) => {
      if (!err) return resolve();
      if (err instanceof multer.MulterError) {
        const message =
          err.code === 'LIMIT_FILE_SIZE'
            ? `حجم فایل بیش از ${toPersianDigits(MAX_IMPORT_BYTES / 1024 / 1024)} مگابایت است.`
            : 'فایل بارگذاری‌شده پذیرفته نشد؛ یک فایل CSV یا xlsx انتخاب کنید.';
        return reject(new FormError({ file: message }, err.code === 'LIMIT_FILE_SIZE' ? 413 : 400));
      }
      reject(err);
    });
  });
}

const confirmSchema = z.object({ preview: z.string().max(64), mode: z.enum(['all', 'good']) });
const EXPIRED = 'پیش‌نمایش این فایل دیگر در دسترس نیست؛ فایل را دوباره بارگذاری کنید.';

/** Importing many liaisons from a CSV or XLSX file: upload, preview with every bad row, then confirm. */
export function importRoutes({ sequelize }: Services): Router {
  const router = Router();
  router.use('/admin/liaisons/import', requireRole('admin'));

  const render = (
    res: Response,
    status: number,
    preview: ImportPreview | null,
    errors: Record<string, string> = {},
    error: string | null = null,
  ) => res.status(status).render('liaisons/import', { title: 'ورود گروهی رابطین', preview, errors, error });

  router.get('/admin/liaisons/import', (req, res) => {
    render(res, 200, req.session.liaisonImport ?? null);
  });

  router.post('/admin/liaisons/import', async (req, res) => {
    try {
      await receiveFile(req, res);
      const file = await readImportFile(req.file);
      req.session.liaisonImport = await previewImport(req.file!.originalname.slice(0, 200), file);
      res.redirect(303, '/admin/liaisons/import');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      render(res, err.status, null, err.fields);
    }
  });

  router.post('/admin/liaisons/import/confirm', async (req, res) => {
    const parsed = confirmSchema.safeParse(req.body ?? {});
    const stored = req.session.liaisonImport;
    if (!stored || !parsed.success || parsed.data.preview !== stored.id) return render(res, 409, null, {}, EXPIRED);
    const preview = await recheckPreview(stored);
    if (preview.problems.length && parsed.data.mode !== 'good') {
      req.session.liaisonImport = preview;
      return render(
        res,
        400,
        preview,
        {},
        'این فایل سطرهای نادرست دارد و چیزی ذخیره نشد. سطرها را در فایل درست کنید و دوباره بارگذاری کنید، یا «فقط سطرهای درست» را وارد کنید.',
      );
    }
    if (!preview.rows.length) return render(res, 400, preview, {}, 'هیچ سطر درستی برای ورود نیست.');
    let accounts: Awaited<ReturnType<typeof importLiaisons>>;
    try {
      accounts = await importLiaisons(sequelize, actorOf(req), preview.rows);
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
      return render(
        res,
        409,
        await recheckPreview(preview),
        {},
        'هم‌زمان حسابی با همین کد ملی یا نام کاربری ساخته شد و چیزی ذخیره نشد؛ پیش‌نمایش تازه را ببینید.',
      );
    }
    delete req.session.liaisonImport;
    res.render('liaisons/import-result', {
      title: 'ورود گروهی انجام شد',
      accounts,
      skipped: preview.problems,
      csvHref: `data:text/csv;charset=utf-8,${encodeURIComponent(credentialsCsv(accounts))}`,
    });
  });

  router.post('/admin/liaisons/import/cancel', (req, res) => {
    delete req.session.liaisonImport;
    res.redirect(303, '/admin/liaisons/import');
  });

  return router;
}
