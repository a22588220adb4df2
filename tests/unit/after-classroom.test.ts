import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZipArchive } from 'archiver';
import { attachmentHeader, detectFileType, downloadName } from '../../src/lib/file-types';
import { countTopics, meanOf } from '../../src/features/evaluations/presenter';
import { evaluationOpensAt, isEvaluationOpen } from '../../src/features/evaluations/rules';

async function zipOf(names: string[]): Promise<Buffer> {
  const zip = new ZipArchive();
  const chunks: Buffer[] = [];
  zip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => zip.on('end', resolve));
  for (const name of names) zip.append('<x/>', { name });
  await zip.finalize();
  await done;
  return Buffer.concat(chunks);
}

test('a file is typed by its bytes, not its name', async () => {
  const cases: [Buffer, string, string | null][] = [
    [Buffer.from('%PDF-1.7\n'), 'a.txt', 'application/pdf'],
    [Buffer.from('<html>'), 'a.pdf', null],
    [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'a.jpg', 'image/png'],
    [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0]), 'photo', 'image/jpeg'],
    [Buffer.from('GIF89a....'), 'a.gif', 'image/gif'],
    [Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '), 'a.webp', 'image/webp'],
    [Buffer.from('<svg onload="alert(1)">'), 'a.png', null],
    [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]), 'old.ppt', 'application/vnd.ms-powerpoint'],
    [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]), 'old.msi', null],
    [
      await zipOf(['[Content_Types].xml', 'ppt/presentation.xml']),
      'x.zip',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    [await zipOf(['[Content_Types].xml', 'xl/workbook.xml']), 'x', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    [await zipOf(['word/document.xml']), 'x.docx', null],
    [await zipOf(['readme.txt']), 'x.docx', null],
    [Buffer.from('PK\u0003\u0004 broken'), 'x.docx', null],
  ];
  for (const [data, name, mime] of cases) assert.equal((await detectFileType(data, name))?.mime ?? null, mime, name);
});

test('a download keeps its Persian name (RFC 5987) with the type’s extension', async () => {
  const pdf = (await detectFileType(Buffer.from('%PDF-1.4'), 'x'))!;
  assert.equal(downloadName('جزوه', pdf), 'جزوه.pdf');
  assert.equal(downloadName('جزوه.PDF', pdf), 'جزوه.PDF');
  const header = attachmentHeader('اسلاید "نخست".pdf');
  assert.match(header, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
  assert.ok(!/filename="[^"]*"[^;]*"/.test(header.split(';')[1]), header);
  assert.ok(header.endsWith(encodeURIComponent('اسلاید "نخست".pdf')));
});

test('topics are counted once per answer, whatever the separator; means from the distribution', () => {
  assert.deepEqual(countTopics(['تولید ویدئو، عکاسی', 'تولید ویدئو\nتولید ویدئو', null, 'عکاسی.']), [
    { topic: 'تولید ویدئو', count: 2 },
    { topic: 'عکاسی', count: 2 },
  ]);
  assert.equal(meanOf([0, 0, 1, 1, 2]), 4.25);
  assert.equal(meanOf([0, 0, 0, 0, 0]), null);
});

test('the evaluation opens at the start of the last session, Tehran time, and never for a draft or cancelled course', () => {
  const opens = evaluationOpensAt({ status: 'running' }, { date: '2026-12-01', startTime: '09:00' })!;
  assert.equal(opens.toISOString(), '2026-12-01T05:30:00.000Z');
  assert.equal(isEvaluationOpen(opens, new Date('2026-12-01T05:29:59Z')), false);
  assert.equal(isEvaluationOpen(opens, new Date('2026-12-01T05:30:00Z')), true);
  assert.equal(evaluationOpensAt({ status: 'cancelled' }, { date: '2026-12-01', startTime: '09:00' }), null);
  assert.equal(evaluationOpensAt({ status: 'open' }, null), null);
});
