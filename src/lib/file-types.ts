import yauzl from 'yauzl';

/**
 * What an uploaded file is, read from its bytes, never from its name or the type the browser sent:
 * PDF, the images a browser shows (PNG, JPEG, GIF, WebP), Office documents (OOXML: docx, pptx,
 * xlsx, recognised by the part their [Content_Types].xml names; the old binary .doc/.ppt/.xls, whose
 * shared OLE container is told apart by the name's extension only). Anything else is refused.
 */
export interface FileType {
  mime: string;
  /** The extensions a file of this type may carry; the first is added to a name that has none of them. */
  extensions: string[];
  label: string;
}

const TYPES = {
  pdf: { mime: 'application/pdf', extensions: ['pdf'], label: 'PDF' },
  png: { mime: 'image/png', extensions: ['png'], label: 'تصویر PNG' },
  jpeg: { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'], label: 'تصویر JPEG' },
  gif: { mime: 'image/gif', extensions: ['gif'], label: 'تصویر GIF' },
  webp: { mime: 'image/webp', extensions: ['webp'], label: 'تصویر WebP' },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'], label: 'سند Word' },
  pptx: {
    mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    extensions: ['pptx', 'ppsx'],
    label: 'اسلاید PowerPoint',
  },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'], label: 'کاربرگ Excel' },
  doc: { mime: 'application/msword', extensions: ['doc'], label: 'سند Word' },
  ppt: { mime: 'application/vnd.ms-powerpoint', extensions: ['ppt', 'pps'], label: 'اسلاید PowerPoint' },
  xls: { mime: 'application/vnd.ms-excel', extensions: ['xls'], label: 'کاربرگ Excel' },
} satisfies Record<string, FileType>;

const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** The main part of each OOXML document type, as [Content_Types].xml names it. */
const OOXML_MAIN_PARTS: [RegExp, FileType][] = [
  [/^word\/document\.xml$/, TYPES.docx],
  [/^ppt\/presentation\.xml$/, TYPES.pptx],
  [/^xl\/workbook\.xml$/, TYPES.xlsx],
];
const MAX_ZIP_ENTRIES = 10_000;

const startsWith = (data: Buffer, prefix: Buffer | string) =>
  data.subarray(0, prefix.length).equals(typeof prefix === 'string' ? Buffer.from(prefix, 'latin1') : prefix);

export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/** The names of a zip's entries (without reading their contents), or null when it is not a readable zip. */
function zipEntryNames(data: Buffer): Promise<string[] | null> {
  return new Promise((resolve) => {
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) return resolve(null);
      const names: string[] = [];
      const done = (value: string[] | null) => {
        zip.close();
        resolve(value);
      };
      zip.on('error', () => done(null));
      zip.on('end', () => done(names));
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        if (names.length > MAX_ZIP_ENTRIES) return done(null);
        zip.readEntry();
      });
      zip.readEntry();
    });
  });
}

/** The type of these bytes, or null when they are none of the accepted ones. */
export async function detectFileType(data: Buffer, fileName: string): Promise<FileType | null> {
  if (startsWith(data, '%PDF-')) return TYPES.pdf;
  if (startsWith(data, PNG)) return TYPES.png;
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return TYPES.jpeg;
  if (startsWith(data, 'GIF87a') || startsWith(data, 'GIF89a')) return TYPES.gif;
  if (startsWith(data, 'RIFF') && data.subarray(8, 12).toString('latin1') === 'WEBP') return TYPES.webp;
  if (startsWith(data, OLE)) {
    const ext = extensionOf(fileName);
    return [TYPES.doc, TYPES.ppt, TYPES.xls].find((t) => t.extensions.includes(ext)) ?? null;
  }
  if (startsWith(data, ZIP)) {
    const names = await zipEntryNames(data);
    if (!names?.includes('[Content_Types].xml')) return null;
    for (const [part, type] of OOXML_MAIN_PARTS) if (names.some((n) => part.test(n))) return type;
  }
  return null;
}

/** The name a download carries: the uploaded one, with the type's extension when it has none of them. */
export function downloadName(fileName: string, type: FileType): string {
  return type.extensions.includes(extensionOf(fileName)) ? fileName : `${fileName}.${type.extensions[0]}`;
}

/**
 * A Content-Disposition header for an attachment with a name in any script (RFC 6266 / RFC 5987):
 * an ASCII fallback for old clients and the UTF-8 name in `filename*`.
 */
export function attachmentHeader(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
