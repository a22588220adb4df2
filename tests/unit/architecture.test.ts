import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { statusNames } from '../../src/lib/statuses';
import { monthName, WEEKDAYS_FROM_SATURDAY } from '../../src/lib/jalali';

const MONTH_NAMES = Array.from({ length: 12 }, (_, i) => monthName(i + 1));

/**
 * The import rules of docs/architecture.md, checked on the source itself: each rule names the folders
 * it governs and the folders they must not import from. A new import that breaks one fails here with
 * the file and the line.
 */

const root = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|mts|cts)$/.test(entry.name)) out.push(rel);
  }
  return out;
}

/** Every module a file imports (static `import … from`, `export … from`, dynamic `import()`, `require()`), resolved to a path from the root. */
export function importsOf(file: string): { line: number; target: string }[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const found: { line: number; target: string }[] = [];
  const pattern =
    /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(pattern)) {
    const spec = match[1] ?? match[2] ?? match[3] ?? match[4];
    if (!spec.startsWith('.')) continue;
    const line = text.slice(0, match.index).split('\n').length;
    found.push({ line, target: path.normalize(path.join(path.dirname(file), spec)) });
  }
  return found;
}

const RULES: { name: string; from: string[]; mustNotImport: string[] }[] = [
  { name: 'lib/ and models/ import no feature', from: ['src/lib', 'src/models'], mustNotImport: ['src/features'] },
  {
    name: 'lib/ and models/ import no middleware or service',
    from: ['src/lib', 'src/models'],
    mustNotImport: ['src/middleware', 'src/services'],
  },
  { name: 'migrations import no application code', from: ['migrations'], mustNotImport: ['src'] },
  {
    name: 'services import nothing from middleware or features',
    from: ['src/services'],
    mustNotImport: ['src/middleware', 'src/features'],
  },
  { name: 'features import nothing from src/config', from: ['src/features'], mustNotImport: ['src/config'] },
];

const inside = (target: string, dir: string) => target === dir || target.startsWith(dir + path.sep) || target.startsWith(`${dir}.`);

for (const rule of RULES) {
  test(`import rule: ${rule.name}`, () => {
    const broken: string[] = [];
    for (const dir of rule.from) {
      for (const file of sourceFiles(dir)) {
        for (const { line, target } of importsOf(file)) {
          if (rule.mustNotImport.some((forbidden) => inside(target, forbidden))) broken.push(`${file}:${line} imports ${target}`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });
}

test('the import scanner sees the forms of import the rules rely on', () => {
  const probe = path.join('tests', 'unit', '.architecture-probe.ts');
  fs.writeFileSync(
    path.join(root, probe),
    "import type { A } from '../../src/features/a';\nimport { b } from \"../../src/features/b\";\nexport { c } from '../../src/lib/c';\nconst d = await import('../../src/config');\nimport '../../src/side-effect';\n",
  );
  try {
    assert.deepEqual(
      importsOf(probe).map((i) => i.target),
      ['src/features/a', 'src/features/b', 'src/lib/c', 'src/config', 'src/side-effect'],
    );
  } finally {
    fs.rmSync(path.join(root, probe));
  }
});

/** Every view file, read as text. */
function viewFiles(dir = path.join(root, 'views')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? viewFiles(full) : entry.name.endsWith('.ejs') ? [full] : [];
  });
}

test('no view hard-codes a name that lib/ holds: a status label as a whole cell or option, a month or weekday list', () => {
  const labels = Object.values(statusNames).flatMap((map) => Object.values(map) as string[]);
  const found: string[] = [];
  for (const file of viewFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    const where = path.relative(root, file);
    for (const label of labels) {
      // The label alone as an element's text or a quoted string is a copy of the map; inside a sentence it is prose.
      const alone = new RegExp(`>\\s*${label}\\s*<|['"]${label}['"]`);
      if (alone.test(text)) found.push(`${where}: «${label}» (use statusNames)`);
    }
    for (const [name, list] of [
      ['month', MONTH_NAMES],
      ['weekday', WEEKDAYS_FROM_SATURDAY],
    ] as const) {
      if (list.filter((n) => text.includes(`'${n}'`)).length >= 3)
        found.push(`${where}: a ${name} list (use monthName / weekdaysFromSaturday)`);
    }
  }
  assert.deepEqual(found, []);
});

test('features reach the database through the connection they are given, never a model’s (Model.sequelize!)', () => {
  const found: string[] = [];
  for (const file of sourceFiles('src')) {
    const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/\.sequelize!/.test(line)) found.push(`${file}:${i + 1}`);
    });
  }
  assert.deepEqual(found, []);
});
