import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';

/**
 * The views' engine: EJS's own parser and code generator, with the rendering around them done here,
 * for what it cost on the pages a user opens most (npm run bench -- --profile DIR, docs/benchmarks.md):
 *
 * - A page is written in pieces of a few thousand characters and sent as one Buffer. EJS builds a
 *   page as one string; a page with Persian text is a two-byte string, and past ~64,000 characters
 *   (the attendance sheet of a big course) V8 places it in its large-object space when it is
 *   flattened to be sent: 0.8 ms for a 69,000-character sheet against 0.13 ms for the same text in
 *   pieces.
 * - An include is found once, relative to the file that includes it, and compiled once; EJS looked
 *   for the file on disk (existsSync) on every call, 13% of the bare layout's time.
 * - An include sees its parent's data through its prototype instead of a copy of every key.
 * - Values are escaped exactly as EJS escapes them, but a value with nothing to escape is not
 *   rebuilt, and a number is not searched.
 * - Inside the template's `with (locals)`, the escape, write and include functions are block constants: a
 *   name from outside the `with` is looked up dynamically, through the locals, at every use
 *   (measured 2.5× slower on the sheet's rows).
 * - Line numbers for template errors (EJS's compileDebug) only when the views are not cached
 *   (development): they cost a write per template line.
 * - No `with`, when the views are cached: V8 never optimises a function that holds one, so every
 *   template ran in the interpreter and found each name through the locals at every use. A template
 *   is compiled once for each set of local names it is given (a page's locals, an include's on top of
 *   its parent's), with those names declared from the locals before its code: a name finds the same
 *   value it found through `with`, and one not given is looked up outside, as before. Should a
 *   template not compile so (a `var` of the same name as a local), it keeps `with`.
 *
 * The templates are unchanged EJS: `<%= %>` escapes, `<%- %>` writes what an include returns
 * (a unit test keeps `<%-` to includes), `<%_ _%>` trims, locals are read by their names.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const SPECIAL = /[&<>'"]/;
const SPECIALS = /[&<>'"]/g;
const escapeOne = (c: string) => ESCAPES[c];

/** EJS's escapeXML, the same output, cheaper when there is nothing to escape. */
export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? value : String(value);
  return SPECIAL.test(text) ? text.replace(SPECIALS, escapeOne) : text;
}

/** Where pages are encoded before they are copied out at their size; it grows to the biggest page's three bytes a character. */
let encoded = Buffer.allocUnsafeSlow(0);

/** What a template returns: its output in pieces (each flat enough to stay out of V8's large-object space). */
export class Rendered {
  constructor(readonly pieces: string[]) {}

  /**
   * The page as UTF-8, written into one buffer kept for it and copied out at its size. A Buffer per
   * piece and a concat, or a new buffer of three bytes a character, took 200–1,070 µs for the
   * national county report's 177,000 characters (a fresh half-megabyte each time); through the kept
   * buffer 170–330 µs, and 40–60 µs to copy out (npm run bench, timed in the server).
   */
  toBuffer(): Buffer {
    let chars = 0;
    for (const piece of this.pieces) chars += piece.length;
    // A UTF-16 unit never takes more than three bytes in UTF-8.
    if (encoded.length < chars * 3) encoded = Buffer.allocUnsafeSlow(chars * 3);
    let bytes = 0;
    for (const piece of this.pieces) bytes += encoded.write(piece, bytes, 'utf8');
    const page = Buffer.allocUnsafe(bytes);
    encoded.copy(page, 0, 0, bytes);
    return page;
  }

  toString(): string {
    return this.pieces.join('');
  }
}

/**
 * Parts of pages rendered once and written again as they are, kept beside the data they were
 * rendered from (and dropped with it): a part that depends on nothing of the request's own (no
 * CSRF token, no user), under a key naming everything else it depends on. At most `max` are kept.
 * A template keeps an include in them with the include's third argument (`Keep`): what is kept is
 * always an include's output, escaped as any include's is.
 */
export class Fragments {
  private readonly kept = new Map<string, Rendered>();

  constructor(private readonly max = 100) {}

  /** The part under `key`: kept, or rendered now (an include, in a template) and kept. */
  get(key: string, render: () => Rendered): Rendered {
    const found = this.kept.get(key);
    if (found) return found;
    const rendered = render();
    if (this.kept.size >= this.max) this.kept.clear();
    this.kept.set(key, rendered);
    return rendered;
  }
}

/** Where an include's output is kept and found: `include('rows', {}, { in: fragments, key })`. */
export interface Keep {
  in: Fragments;
  key: string;
}

type Include = (name: string, data?: object | null, keep?: Keep | null) => Rendered;
type Compiled = (
  locals: object,
  escapeFn: (value: unknown) => string,
  include: Include,
  rethrow: (err: Error, lines: string, filename: string, line: number) => never,
  Rendered: new (pieces: string[]) => Rendered,
) => Rendered;

/** Characters gathered before a piece is closed: well under the ~64,000 where a two-byte string goes to the large-object space. */
const PIECE_CHARS = 8192;

const PRELUDE = `var __pieces = [], __output = "";
function __write(s) {
  if (s === undefined || s === null) return;
  if (s instanceof Rendered) {
    if (__output) __pieces.push(__output);
    for (var i = 0; i < s.pieces.length; i++) __pieces.push(s.pieces[i]);
    __output = "";
    return;
  }
  __output += s;
  if (__output.length > ${PIECE_CHARS}) { __pieces.push(__output); __output = ""; }
}
`;
const WITH_LOCALS = `with (locals) {
const escapeFn = __escape, __append = __write, include = __include;
`;
/** The locals as block-scoped names, then the template's code in a block of its own (its own `const`s may shadow them). */
const namesOf = (names: string[]) => `{
const escapeFn = __escape, __append = __write, include = __include;
let { ${names.join(', ')} } = locals;
{
`;
const EPILOGUE = `}
__pieces.push(__output);
return new Rendered(__pieces);
`;

/** Names the prelude holds, and words that cannot be declared: such locals stay out of reach by name, as under `with` (the prelude's names) or as they always were. */
const NOT_DECLARED = new Set(
  (
    '__pieces __output __write __escape __include escapeFn __append include locals rethrow Rendered arguments eval ' +
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield await async of'
  ).split(' '),
);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The names a template can see in these locals (own and inherited, as `with` sees them), in a stable order. */
function localNames(locals: object): string[] {
  const names: string[] = [];
  for (const name in locals) if (IDENTIFIER.test(name) && !NOT_DECLARED.has(name)) names.push(name);
  return names.sort();
}

/** A template error with the template's file and line, as EJS reports it in development. */
function rethrow(err: Error, lines: string, filename: string, line: number): never {
  const context = lines.split('\n').slice(Math.max(line - 3, 0), line + 3);
  err.message = `${filename}:${line}\n${context.join('\n')}\n\n${err.message}`;
  throw err;
}

/** EJS's code for a template file. */
function sourceOf(file: string, debug: boolean): { text: string; source: string } {
  const text = fs.readFileSync(file, 'utf8');
  const template = new ejs.Template(text, { filename: file, compileDebug: debug, strict: false }) as unknown as {
    generateSource(): void;
    source: string;
  };
  template.generateSource();
  return { text, source: template.source };
}

/** A template as a function: under `with (locals)` when `names` is null, otherwise with those names declared (a SyntaxError if it cannot be). */
function compile(file: string, debug: boolean, names: string[] | null = null): Compiled {
  const { text, source: code } = sourceOf(file, debug);
  const body = names ? `${PRELUDE}${namesOf(names)}${code}}${EPILOGUE}` : `${PRELUDE}${WITH_LOCALS}${code}${EPILOGUE}`;
  const source = debug
    ? `var __line = 1, __lines = ${JSON.stringify(text)}, __filename = ${JSON.stringify(file)};
try {
${body}} catch (e) {
  rethrow(e, __lines, __filename, __line);
}
//# sourceURL=${file}`
    : `${body}//# sourceURL=${file}`;
  try {
    return new Function('locals', '__escape', '__include', 'rethrow', 'Rendered', source) as Compiled;
  } catch (err) {
    if (err instanceof SyntaxError) err.message += ` in ${file} while compiling ejs`;
    throw err;
  }
}

/**
 * The names a template's locals were built from, in order (a page's keys, then each include's on
 * top), which pick its compiled form (`compile`): one Scope for each list, found from its parent by
 * the include's own keys. Looking a template up by a key built of the whole list cost a long string
 * made and hashed for every include (a catalogue page makes forty).
 */
class Scope {
  /** The templates compiled for these names, by file. */
  readonly templates = new Map<string, Compiled>();
  private readonly children = new Map<string, Scope>();

  /** The scope of an include's locals: these names with `keys` (its data's, joined by NUL) on top. */
  child(keys: string): Scope {
    let scope = this.children.get(keys);
    if (!scope) {
      scope = new Scope();
      this.children.set(keys, scope);
    }
    return scope;
  }
}

/**
 * An Express view engine (`app.engine('ejs', …)`) answering with a Buffer of the page. `cache`:
 * compile each file once (production); otherwise read and compile on every render, with line numbers.
 */
export function createViewEngine(cache: boolean) {
  const pages = new Scope();
  /** Each file's includes, by the name it gives them, resolved relative to it. */
  const resolved = new Map<string, Map<string, string>>();
  const templateOf = (file: string, locals: object, scope: Scope): Compiled => {
    if (!cache) return compile(file, true);
    let fn = scope.templates.get(file);
    if (!fn) {
      try {
        fn = compile(file, false, localNames(locals));
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        fn = compile(file, false);
      }
      scope.templates.set(file, fn);
    }
    return fn;
  };
  const includeOf = (from: string, name: string): string => {
    let names = resolved.get(from);
    if (!names) {
      names = new Map();
      if (cache) resolved.set(from, names);
    }
    let file = names.get(name);
    if (!file) {
      file = path.resolve(path.dirname(from), path.extname(name) ? name : `${name}.ejs`);
      names.set(name, file);
    }
    return file;
  };
  const run = (file: string, locals: object, scope: Scope): Rendered => {
    const include: Include = (name, data, keep) => {
      if (keep) return keep.in.get(keep.key, () => include(name, data));
      const child = Object.create(locals) as Record<string, unknown>;
      if (!data) return run(includeOf(file, name), child, scope);
      Object.assign(child, data);
      return run(includeOf(file, name), child, scope.child(Object.keys(data).join('\0')));
    };
    return templateOf(file, locals, scope)(locals, escapeHtml, include, rethrow, Rendered);
  };
  return (file: string, data: object, callback: (err: unknown, page?: Buffer) => void): void => {
    let page: Buffer;
    try {
      // Locals without a prototype, as EJS makes them: `with` must not find Object.prototype's names.
      page = run(file, Object.assign(Object.create(null), data), pages.child(Object.keys(data).join('\0'))).toBuffer();
    } catch (err) {
      return callback(err);
    }
    callback(null, page);
  };
}
