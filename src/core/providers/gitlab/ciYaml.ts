import { TokenExplorerError } from '../../errors';
import { yamlProblemInWords } from '../../yamlProblem';

/** One ID token a `.gitlab-ci.yml` job receives through `id_tokens:`. */
export interface IdTokenDeclaration {
  /** The job name (a top-level key), e.g. `deploy`; hidden jobs keep their leading dot. */
  readonly job: string;
  /** The CI/CD variable that holds the token inside the job, e.g. `ID_TOKEN_1`. */
  readonly variable: string;
  /** The `aud` as written: GitLab expands CI/CD variables in it (`$CI_SERVER_URL`); this does not. */
  readonly aud: string | string[];
  /** 0-based line of the variable's key in the text (of `default:`'s when inherited), when found. */
  readonly line?: number;
  /** The job is hidden (its name starts with `.`): a template for `extends`, never run itself. */
  readonly template?: true;
  /** The declaration comes from `default: id_tokens:`, which the job inherits. */
  readonly inherited?: true;
}

/**
 * Top-level keywords that are not jobs (GitLab's reserved names; `types` is the deprecated alias of
 * `stages`).
 */
const RESERVED = new Set([
  'stages',
  'types',
  'variables',
  'default',
  'include',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'spec',
]);
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOCUMENT_SEPARATOR = /^---(?:\s|$)/;

type YamlMap = Record<string, unknown>;

function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A line that holds neither content nor only a comment. */
function isContent(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== '' && !trimmed.startsWith('#');
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * The text with a component header (`spec:` ... `---`) blanked out, line count unchanged: GitLab
 * reads the configuration from the second YAML document, while a single-document parser would
 * refuse two.
 */
function withoutHeader(lines: readonly string[]): string[] {
  const first = lines.findIndex((line) => isContent(line) && !DOCUMENT_SEPARATOR.test(line));
  if (first === -1 || !/^spec\s*:/.test(lines[first] ?? '')) return [...lines];
  const separator = lines.findIndex((line, i) => i > first && DOCUMENT_SEPARATOR.test(line));
  if (separator === -1) return [...lines];
  return lines.map((line, i) => (i <= separator ? '' : line));
}

/** A regex matching a mapping key, bare or quoted, at the start of a trimmed line. */
function keyPattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const single = name.replace(/'/g, "''").replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const double = JSON.stringify(name)
    .slice(1, -1)
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(?:${escaped}|'${single}'|"${double}")\\s*:(?:\\s|$)`);
}

/** Where a mapping key sits in the text and the lines of its block value. */
interface Block {
  /** Line of the key. */
  readonly line: number;
  readonly indent: number;
  /** The first line after the block. */
  readonly end: number;
  /** Indentation of the block's children; undefined when it has none on their own lines. */
  readonly childIndent?: number;
}

/** The block of `key` among the children (at `indent`) of lines `[start, end)`. */
function findBlock(
  lines: readonly string[],
  key: string,
  start: number,
  end: number,
  indent: number,
): Block | undefined {
  const pattern = keyPattern(key);
  for (let i = start; i < end; i++) {
    const line = lines[i] ?? '';
    if (!isContent(line) || indentOf(line) !== indent || !pattern.test(line.trimStart())) continue;
    let blockEnd = i + 1;
    let childIndent: number | undefined;
    while (blockEnd < end) {
      const next = lines[blockEnd] ?? '';
      if (isContent(next)) {
        if (indentOf(next) <= indent) break;
        childIndent ??= indentOf(next);
      }
      blockEnd++;
    }
    return {
      line: i,
      indent,
      end: blockEnd,
      ...(childIndent === undefined ? {} : { childIndent }),
    };
  }
  return undefined;
}

/** The 0-based line of `path` (job → `id_tokens` → variable), as deep as the text shows it. */
function lineOf(lines: readonly string[], path: readonly string[]): number | undefined {
  let found: number | undefined;
  let start = 0;
  let end = lines.length;
  let indent = 0;
  for (const key of path) {
    const block = findBlock(lines, key, start, end, indent);
    if (!block) break;
    found = block.line;
    if (block.childIndent === undefined) break;
    start = block.line + 1;
    end = block.end;
    indent = block.childIndent;
  }
  return found;
}

/** The `aud` of one `id_tokens` entry, or a bad-config error naming where it is wrong. */
function readAud(where: string, variable: string, entry: unknown): string | string[] {
  const aud = isMap(entry) ? entry.aud : undefined;
  if (typeof aud === 'string' && aud !== '') return aud;
  if (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string' && a)) {
    return aud as string[];
  }
  throw new TokenExplorerError(
    'bad-config',
    `In .gitlab-ci.yml, ${where}: id_tokens: ${variable} needs an "aud": the audience as text, or a list of them (GitLab rejects the pipeline otherwise).`,
  );
}

/** The entries of one `id_tokens:` mapping, without lines. */
function readIdTokens(
  where: string,
  value: unknown,
): { variable: string; aud: string | string[] }[] {
  if (!isMap(value)) {
    throw new TokenExplorerError(
      'bad-config',
      `In .gitlab-ci.yml, ${where}: id_tokens must be a mapping of variable names to {aud: ...}.`,
    );
  }
  return Object.entries(value).map(([variable, entry]) => ({
    variable,
    aud: readAud(where, variable, entry),
  }));
}

/** Whether a job inherits `default:`'s id_tokens (`inherit: default: false | [keywords]`). */
function inheritsDefaultIdTokens(job: YamlMap): boolean {
  const inherit = job.inherit;
  if (!isMap(inherit) || !Object.hasOwn(inherit, 'default')) return true;
  const setting = inherit.default;
  if (Array.isArray(setting)) return setting.includes('id_tokens');
  return setting !== false;
}

/** The parsed configuration, or a bad-config error with the parser's line and column. */
function parse(lines: readonly string[], parseYaml: (text: string) => unknown): YamlMap {
  let data: unknown;
  try {
    data = parseYaml(lines.join('\n'));
  } catch (error) {
    // The problem and its position in words; the rest of js-yaml's message is a quote of the file.
    const said = yamlProblemInWords(error);
    const hint = /!reference/.test(said)
      ? " The YAML parser does not know GitLab's !reference tag."
      : '';
    throw new TokenExplorerError(
      'bad-config',
      `.gitlab-ci.yml is not valid YAML: ${said || 'the parser gave no reason'}.${hint}`,
      { cause: error },
    );
  }
  if (data === undefined || data === null) return {};
  if (!isMap(data)) {
    throw new TokenExplorerError(
      'bad-config',
      '.gitlab-ci.yml must be a mapping of job names and keywords at its top level.',
    );
  }
  return data;
}

/**
 * The ID tokens each job of a `.gitlab-ci.yml` receives: its own `id_tokens:`, else those under
 * `default:` unless the job opts out (`inherit: default: false`, or a keyword list without
 * `id_tokens`). Hidden jobs (`.name`) are listed as templates with their own declarations only.
 *
 * Limits: `extends:` and `include:` are not resolved (a job that gets `id_tokens` from a template
 * shows the template's entries under the template, and the default's under itself), and `aud` is
 * returned as written, CI/CD variables unexpanded. A component header (`spec:` then `---`) is
 * skipped. Lines are 0-based and found by indentation, so they may be missing for flow-style or
 * anchored YAML.
 * @throws TokenExplorerError `bad-config` when the YAML does not parse (with the parser's line and
 * column) or an `id_tokens` entry has no `aud`.
 */
export function listIdTokens(
  text: string,
  parseYaml: (text: string) => unknown,
): IdTokenDeclaration[] {
  const lines = withoutHeader(text.split(/\r?\n/));
  const config = parse(lines, parseYaml);
  const defaults = isMap(config.default) ? config.default : undefined;
  const inheritable =
    defaults?.id_tokens === undefined ? [] : readIdTokens('default', defaults.id_tokens);
  const found: IdTokenDeclaration[] = [];
  for (const [job, value] of Object.entries(config)) {
    if (RESERVED.has(job) || !isMap(value)) continue;
    const template = job.startsWith('.');
    const at = (path: string[], variable: string): { line?: number } => {
      const line = lineOf(lines, [...path, 'id_tokens', variable]);
      return line === undefined ? {} : { line };
    };
    if (value.id_tokens !== undefined) {
      for (const { variable, aud } of readIdTokens(`job "${job}"`, value.id_tokens)) {
        found.push({
          job,
          variable,
          aud,
          ...at([job], variable),
          ...(template ? { template: true as const } : {}),
        });
      }
    } else if (!template && inheritsDefaultIdTokens(value)) {
      for (const { variable, aud } of inheritable) {
        found.push({ job, variable, aud, ...at(['default'], variable), inherited: true });
      }
    }
  }
  return found;
}

/**
 * The job names of a `.gitlab-ci.yml` in file order: top-level keys holding a mapping that are
 * not keywords (`stages`, `default`, `include`, ...), hidden templates (`.name`) included.
 * `include:`d files are not read.
 * @throws TokenExplorerError `bad-config` when the YAML does not parse (with the parser's line and
 * column).
 */
export function listJobs(text: string, parseYaml: (text: string) => unknown): string[] {
  const config = parse(withoutHeader(text.split(/\r?\n/)), parseYaml);
  return Object.keys(config).filter((job) => !RESERVED.has(job) && isMap(config[job]));
}

/** YAML 1.1 and 1.2 words that a plain scalar would turn into a boolean or null. */
const PLAIN_KEYWORDS = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

/** The audience as a YAML scalar: plain when unambiguous, else a JSON-style double-quoted string. */
function yamlScalar(value: string): string {
  const plain =
    /^[A-Za-z_/][A-Za-z0-9._~/:@+=,%-]*$/.test(value) &&
    !value.endsWith(':') &&
    !PLAIN_KEYWORDS.test(value);
  return plain ? value : JSON.stringify(value);
}

/**
 * The YAML that gives a job an ID token for `aud` in `$variable`, without leading indentation:
 * `id_tokens:` / `VAR:` / `aud: AUD`, each level nested by `indent` (the file's indentation
 * step). Prefix every line with the job's child indentation ({@link findInsertionPoint}'s
 * `indent`). With `entryOnly` (the job already has `id_tokens:`) only the `VAR:` entry is
 * produced. Ends with a newline; the audience is double-quoted (JSON style) when YAML would
 * otherwise read it differently.
 * @throws TokenExplorerError `bad-config` when `variable` is not a valid CI/CD variable name.
 */
export function idTokensBlock(
  variable: string,
  aud: string,
  indent = '  ',
  options: { entryOnly?: boolean } = {},
): string {
  if (!VARIABLE_NAME.test(variable)) {
    throw new TokenExplorerError(
      'bad-config',
      `"${variable}" is not a CI/CD variable name: use letters, digits and underscores, not starting with a digit (e.g. ID_TOKEN_1).`,
    );
  }
  const unit = indent || '  ';
  const entry = [`${variable}:`, `${unit}aud: ${yamlScalar(aud)}`];
  const lines = options.entryOnly ? entry : ['id_tokens:', ...entry.map((line) => unit + line)];
  return `${lines.join('\n')}\n`;
}

/**
 * Where {@link idTokensBlock}'s text goes in a `.gitlab-ci.yml`. Insert
 * `idTokensBlock(variable, aud, unit, { entryOnly })` with every line prefixed by `indent`, at the
 * start of `line`.
 */
export interface InsertionPoint {
  /** 0-based line before which to insert (may equal the line count: append after a newline). */
  readonly line: number;
  /** Indentation of the inserted lines. */
  readonly indent: string;
  /** The file's indentation step (the job's child indentation), for nesting. */
  readonly unit: string;
  /**
   * The job already has a block `id_tokens:`: `line` and `indent` are those of its entries, and
   * only the new entry must be inserted (a second `id_tokens:` key would be a duplicate).
   */
  readonly entryOnly: boolean;
}

/**
 * Where to insert an `id_tokens:` block into `job`: right after the job's key line, at the
 * indentation of its keys (two spaces when it has none yet); or, when the job already has a block
 * `id_tokens:`, right after that line at its entries' indentation (`entryOnly`). Undefined when
 * the job is not a top-level block mapping in the text (missing, flow style `job: {...}`, or
 * `id_tokens: {...}`).
 */
export function findInsertionPoint(text: string, job: string): InsertionPoint | undefined {
  const lines = withoutHeader(text.split(/\r?\n/));
  const block = findBlock(lines, job, 0, lines.length, 0);
  if (!block || hasInlineValue(lines[block.line] ?? '', job)) return undefined;
  const childIndent = block.childIndent ?? 2;
  const unit = ' '.repeat(childIndent);
  const existing = findBlock(lines, 'id_tokens', block.line + 1, block.end, childIndent);
  if (existing) {
    if (hasInlineValue(lines[existing.line] ?? '', 'id_tokens')) return undefined;
    const entryIndent = existing.childIndent ?? childIndent * 2;
    return { line: existing.line + 1, indent: ' '.repeat(entryIndent), unit, entryOnly: true };
  }
  return { line: block.line + 1, indent: unit, unit, entryOnly: false };
}

/** Whether a `key: value` line holds its value inline (anchors, tags and comments do not count). */
function hasInlineValue(line: string, key: string): boolean {
  const rest = line
    .trimStart()
    .replace(keyPattern(key), '')
    .replace(/(?:^|\s)#.*$/, '')
    .replace(/(?:^|\s)[&!]\S*/g, '')
    .trim();
  return rest !== '';
}
