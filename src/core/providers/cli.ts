import { TokenExplorerError, asClause } from '../errors';
import { peekToken } from '../jwt/peek';
import type { ProcessResult, ProcessRunner } from '../ports';
import type { Remedy } from '../remedies';
import { stripTerminalControls } from '../terminal';
import type { MintedToken } from './provider';

/** Lines and characters of a CLI's error output quoted in a message, unless a provider says. */
const MAX_ERROR_LINES = 4;
const MAX_ERROR_CHARS = 400;
/** A compact JWS: three base64url parts. */
export const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** What a provider tells the user when its CLI cannot be run to the end. */
export interface CliRunMessages {
  /** The executable is missing; `error` is the runner's own error. */
  notFound(error: TokenExplorerError): string;
  /** The run took longer than the timeout and was stopped. */
  timeout(seconds: number): string;
  /** What fixes a missing executable (pick it, open its setting, install it); none by default. */
  readonly notFoundRemedies?: readonly Remedy[];
  /** What fixes a run that took too long (a longer timeout where it is set); else Retry. */
  readonly timeoutRemedies?: readonly Remedy[];
}

/**
 * Runs a CLI through the runner, replacing the runner's `cli-not-found` and `timeout` errors by
 * the provider's messages (the runner's error as cause); `cancelled` and others pass unchanged.
 * Its stdout and stderr come back without terminal control sequences (colours, hyperlinks), as
 * CLIs print them when forced to colour through a pipe.
 */
export async function runCli(
  runner: ProcessRunner,
  file: string,
  args: readonly string[],
  options: {
    readonly timeoutMs: number;
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly signal?: AbortSignal | undefined;
  },
  messages: CliRunMessages,
): Promise<ProcessResult> {
  const { signal, ...rest } = options;
  try {
    const result = await runner.run(file, args, { ...rest, ...(signal ? { signal } : {}) });
    return {
      ...result,
      stdout: stripTerminalControls(result.stdout),
      stderr: stripTerminalControls(result.stderr),
    };
  } catch (error) {
    if (!(error instanceof TokenExplorerError)) throw error;
    switch (error.code) {
      case 'cli-not-found':
        throw new TokenExplorerError('cli-not-found', messages.notFound(error), {
          cause: error,
          remedies: messages.notFoundRemedies ?? [],
        });
      case 'timeout':
        throw new TokenExplorerError('timeout', messages.timeout(options.timeoutMs / 1000), {
          cause: error,
          remedies: messages.timeoutRemedies ?? [],
        });
      default:
        throw error;
    }
  }
}

/** A CLI's error output as lines, trailing white space dropped. */
export function errorLines(stderr: string): string[] {
  return stderr.split(/\r?\n/).map((line) => line.trimEnd());
}

/** Error output for quoting: the first non-blank lines, cut with an ellipsis when too long. */
export function excerpt(
  lines: readonly string[],
  maxLines = MAX_ERROR_LINES,
  maxChars = MAX_ERROR_CHARS,
): string {
  const kept = lines
    .filter((line) => line.trim() !== '')
    .slice(0, maxLines)
    .join('\n')
    .trim();
  return kept.length > maxChars ? `${kept.slice(0, maxChars)}…` : kept;
}

/** The start of a failed run's message: the command, how it ended, and what it said. */
export function failureHead(command: string, result: ProcessResult, said: string): string {
  const how = result.exitCode === null ? 'was stopped' : `failed (exit code ${result.exitCode})`;
  return `${command} ${how}${said ? `:\n${said}\n` : '. '}`;
}

/**
 * The JSON a program printed, else `bad-response` with `message`. The parser's own message quotes
 * the output, which may hold a token, so it is never passed on.
 */
export function parseStdoutJson(stdout: string, message: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    throw new TokenExplorerError('bad-response', message);
  }
}

/** The JSON a CLI printed; `command` names it in the error when it printed something else. */
export function jsonFromStdout(stdout: string, command: string): unknown {
  return parseStdoutJson(
    stdout,
    `${command} did not print JSON. Run it in a terminal to see what it prints.`,
  );
}

/**
 * The token a CLI printed: its standard output must be exactly one JWT with an `exp`. Anything
 * else is `not-a-jwt`, saying why and what to run to see the output.
 * @param cli how messages name the tool (`gcloud`, `yc`), the command line as shown, and how to
 *   update the tool when that differs from reinstalling it.
 */
export function tokenFromStdout(
  stdout: string,
  cli: { readonly tool: string; readonly command: string; readonly update?: string },
): MintedToken {
  const notToken = (why: string) =>
    new TokenExplorerError(
      'not-a-jwt',
      `${cli.tool} printed something that is not a token (${asClause(why)}). Run ${cli.command} in a terminal to see what it prints; a proxy or an outdated ${cli.tool} may be the cause${cli.update ? ` (${cli.update})` : ''}.`,
    );
  const token = stdout.trim();
  if (!token) throw notToken('nothing on standard output');
  if (!JWT_SHAPE.test(token)) throw notToken(`${token.length} characters`);
  const exp = peekToken(token).times.exp;
  if (exp === undefined) throw notToken('a JWT without a readable exp claim');
  return { token, expiresAt: Math.round(exp * 1000) };
}
