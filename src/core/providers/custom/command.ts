import { TokenExplorerError } from '../../errors';
import { withRemedies } from '../../remedies';
import { extractToken } from '../../jwt/extract';
import { findJwts } from '../../jwt/find';
import { peekToken } from '../../jwt/peek';
import type { ProcessResult } from '../../ports';
import { excerpt, parseStdoutJson, runCli } from '../cli';
import type { Account, MintedToken, Provider, ProviderContext } from '../provider';
import { assertSettingsValid } from '../settings';

const PLACEHOLDER = '{audience}';
/** Lines of the command's error output quoted in a message. */
const MAX_ERROR_LINES = 5;
const MAX_TIMEOUT_SECONDS = 600;
const FIELD_PATH = /^[^.[\]]+(?:\[\d+\])*(?:\.[^.[\]]+(?:\[\d+\])*)*$/;

/** The settings of a `custom-command` account, read leniently (validate reports problems). */
interface CommandSettings {
  readonly command: readonly string[];
  readonly output: 'raw' | 'json';
  readonly jsonField?: string;
  readonly timeoutSeconds?: number;
}

function readSettings(account: Account): CommandSettings {
  const { command, output, jsonField, timeoutSeconds } = account.settings;
  return {
    command: Array.isArray(command)
      ? command.filter((a): a is string => typeof a === 'string')
      : [],
    output: output === 'json' ? 'json' : 'raw',
    ...(typeof jsonField === 'string' && jsonField.trim() ? { jsonField: jsonField.trim() } : {}),
    ...(typeof timeoutSeconds === 'number' ? { timeoutSeconds } : {}),
  };
}

/**
 * The executable as messages name it. Arguments are never shown: a user's command line may carry
 * secrets (client secrets, passwords).
 */
function shown(command: readonly string[]): string {
  return command[0] ?? 'the custom command';
}

/** The command's error output for quoting: first lines, trimmed, with any JWT in it blanked. */
function stderrExcerpt(stderr: string): string {
  let text = stderr;
  for (const { token } of findJwts(stderr)) text = text.split(token).join('[token removed]');
  return excerpt(
    text.split(/\r?\n/).map((line) => line.trim()),
    MAX_ERROR_LINES,
  );
}

function run(
  context: ProviderContext,
  command: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProcessResult> {
  const [file = '', ...args] = command;
  return runCli(
    context.runner,
    file,
    args,
    { timeoutMs, signal },
    {
      notFound: (error) =>
        `Custom command: ${error.message} No shell is used, so shell built-ins, aliases and pipes do not work; give the executable's full path as the first element of "command".`,
      // The command is the account's own setting: that is where it is fixed.
      notFoundRemedies: [{ kind: 'editAccountSettings' }],
      timeout: (seconds) =>
        `The custom command ${file} did not finish within ${seconds} s and was stopped. Run it in a terminal to see whether it waits for input (a sign-in prompt) or the network, or raise "timeoutSeconds".`,
      timeoutRemedies: [{ kind: 'retry' }, { kind: 'editAccountSettings' }],
    },
  );
}

/** Follows a dotted path (`data.id_token`, `tokens[0].value`) into parsed JSON. */
function walk(
  json: unknown,
  path: string,
): { found: true; value: unknown } | { found: false; at: string; keys: string[] } {
  const segments = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let value = json;
  let at = '';
  for (const segment of segments) {
    const container = value !== null && typeof value === 'object' ? value : undefined;
    if (!container || !Object.hasOwn(container, segment)) {
      const keys = container && !Array.isArray(container) ? Object.keys(container).slice(0, 8) : [];
      return { found: false, at, keys };
    }
    value = (container as Record<string, unknown>)[segment];
    at = at ? `${at}.${segment}` : segment;
  }
  return { found: true, value };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The token in the command's output, as the settings say to find it; never quoted in a message. */
function tokenFromOutput(stdout: string, settings: CommandSettings): string {
  const who = `The custom command ${shown(settings.command)}`;
  if (stdout.trim() === '') {
    throw new TokenExplorerError(
      'no-token',
      `${who} printed nothing on standard output; it must print the token (or JSON holding it).`,
    );
  }
  if (settings.output === 'json') {
    // Only the output's size is said: the output may hold the token.
    const json = parseStdoutJson(
      stdout,
      `${who} did not print JSON (${stdout.trim().length} characters on standard output), and its output is set to "json". Set the output to "raw" if it prints the bare token.`,
    );
    if (settings.jsonField) {
      const path = settings.jsonField;
      const hit = walk(json, path);
      if (!hit.found) {
        throw new TokenExplorerError(
          'json-without-token',
          `${who} printed JSON without the field "${path}"${hit.at ? ` (it stops at "${hit.at}")` : ''}${hit.keys.length > 0 ? `; the fields there are: ${hit.keys.join(', ')}` : ''}. Check "jsonField".`,
        );
      }
      if (typeof hit.value !== 'string') {
        throw new TokenExplorerError(
          'json-without-token',
          `${who} printed JSON whose field "${path}" is ${typeName(hit.value)}, not a token. Check "jsonField".`,
        );
      }
      const value = hit.value.trim();
      if (findJwts(value, 1)[0]?.token !== value) {
        throw new TokenExplorerError(
          'not-a-jwt',
          `${who} printed JSON whose field "${path}" is not a JWT (${value.length} characters). Check "jsonField".`,
        );
      }
      return value;
    }
  }
  try {
    return extractToken(stdout).token;
  } catch (error) {
    const code = error instanceof TokenExplorerError ? error.code : 'not-a-jwt';
    throw new TokenExplorerError(
      code === 'json-without-token' ? 'json-without-token' : 'not-a-jwt',
      code === 'json-without-token'
        ? `${who} printed JSON without a JWT in it. Set "jsonField" to the field that holds the token (e.g. data.id_token).`
        : `${who} printed something that holds no JWT (${stdout.trim().length} characters on standard output). Run it in a terminal to see what it prints.`,
      { cause: error },
    );
  }
}

/** A signed JWT with an `exp`, as the token cache needs it. */
function checkedToken(token: string, command: readonly string[]): MintedToken & { aud: string[] } {
  const inspection = peekToken(token);
  if (inspection.kind !== 'jws' || inspection.problems.length > 0 || !inspection.payload) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `The custom command ${shown(command)} printed something JWT-shaped that does not decode as a signed token${inspection.problems[0] ? ` (${inspection.problems[0].message})` : ''}.`,
    );
  }
  const exp = inspection.times.exp;
  if (exp === undefined) {
    throw new TokenExplorerError(
      'bad-response',
      `The custom command ${shown(command)} printed a token without a readable exp claim; ID tokens carry one, and the token cache needs it to know when to mint again.`,
    );
  }
  const aud = [inspection.payload.aud].flat().filter((a): a is string => typeof a === 'string');
  return { token: inspection.token, expiresAt: Math.round(exp * 1000), aud };
}

/**
 * Mints ID tokens with a command the user configured: `command` is an argv (no shell, ever) in
 * which `{audience}` is replaced by the requested audience; the token is read from its standard
 * output (`raw`: the token, possibly quoted or inside text; `json`: JSON, at `jsonField` or found
 * by searching). Refused in an untrusted workspace.
 */
export const customCommandProvider: Provider = {
  kind: 'custom-command',
  label: 'Custom command',

  async mint(account, request, context) {
    if (context.workspaceTrusted === false) {
      throw new TokenExplorerError(
        'permission-denied',
        'Custom commands are disabled in an untrusted workspace; trust the workspace to use them.',
      );
    }
    assertSettingsValid(customCommandProvider.validate(account), account);
    const settings = readSettings(account);
    const audience = request.audience.trim();
    const argv = settings.command.map((arg) => arg.split(PLACEHOLDER).join(audience));
    const timeoutMs =
      settings.timeoutSeconds === undefined ? context.timeoutMs : settings.timeoutSeconds * 1000;
    const result = await run(context, argv, timeoutMs, request.signal);
    if (result.exitCode !== 0) {
      const said = stderrExcerpt(result.stderr);
      const how =
        result.exitCode === null
          ? 'was stopped by a signal'
          : `failed (exit code ${result.exitCode})`;
      throw new TokenExplorerError(
        'cli-failed',
        `The custom command ${shown(argv)} ${how}${said ? `:\n${said}\n` : ' without an error message. '}Run it in a terminal to see the whole output.`,
        { remedies: [{ kind: 'editAccountSettings' }] },
      );
    }
    let minted: ReturnType<typeof checkedToken>;
    try {
      minted = checkedToken(tokenFromOutput(result.stdout, settings), argv);
    } catch (error) {
      // What it printed is read by the account's "output" and "jsonField", or the command is wrong.
      throw withRemedies(error, [{ kind: 'editAccountSettings' }]);
    }
    if (audience && !minted.aud.includes(audience)) {
      context.logger.warn(
        `The custom command ${shown(argv)} printed a token for ${minted.aud.join(', ') || 'no audience'}, not the requested ${audience}; does its command line use ${PLACEHOLDER}?`,
      );
    }
    return { token: minted.token, expiresAt: minted.expiresAt };
  },

  validate(account) {
    const problems: string[] = [];
    const { command, output, jsonField, timeoutSeconds } = account.settings;
    if (
      !Array.isArray(command) ||
      command.length === 0 ||
      !command.every((arg) => typeof arg === 'string')
    ) {
      problems.push(
        '"command" must be a list of strings: the executable, then its arguments (e.g. ["my-tool", "token", "--audience", "{audience}"]).',
      );
    } else if (!(command[0] as string).trim()) {
      problems.push('The first element of "command" must name the executable.');
    }
    if (output !== undefined && output !== 'raw' && output !== 'json') {
      problems.push('"output" must be "raw" or "json".');
    }
    if (jsonField !== undefined) {
      if (typeof jsonField !== 'string' || !FIELD_PATH.test(jsonField.trim())) {
        problems.push('"jsonField" must be a dotted path such as token or data.id_token.');
      } else if (output !== 'json') {
        problems.push('"jsonField" applies only when "output" is "json".');
      }
    }
    if (
      timeoutSeconds !== undefined &&
      (typeof timeoutSeconds !== 'number' ||
        !Number.isFinite(timeoutSeconds) ||
        timeoutSeconds <= 0 ||
        timeoutSeconds > MAX_TIMEOUT_SECONDS)
    ) {
      problems.push(
        `"timeoutSeconds" must be a number of seconds, above 0 and at most ${MAX_TIMEOUT_SECONDS}.`,
      );
    }
    return problems;
  },

  describe(account) {
    const { command } = readSettings(account);
    return command[0] ? `Command: ${command[0]}` : 'Command: not set';
  },
};
