import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, extname, isAbsolute, join } from 'node:path';
import { TokenExplorerError } from '../errors';
import type { ProcessResult, ProcessRunner } from '../ports';

/** Enough for any CLI answer we read (tokens, JSON listings); more means something is wrong. */
const MAX_BUFFER = 4 * 1024 * 1024;
/** How long a process may take to honour SIGTERM before it is killed outright. */
const KILL_GRACE_MS = 1000;

/** cmd.exe metacharacters, escaped with `^` (the rules cross-spawn uses). */
const CMD_META = /([()\][%!^"`<>&|;, *?])/g;

function quoteForCmd(arg: string): string {
  const quoted = `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1')}"`;
  return quoted.replace(CMD_META, '^$1');
}

/**
 * Finds a bare command name on PATH with PATHEXT, as cmd.exe would: Node's execFile tries only
 * `.exe` and `.com`, so `gcloud` (installed as `gcloud.cmd`) would not be found otherwise.
 */
function resolveOnWindowsPath(file: string, env: NodeJS.ProcessEnv): string {
  if (isAbsolute(file) || file.includes('/') || file.includes('\\') || extname(file)) return file;
  const extensions = (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean)) {
    for (const ext of extensions) {
      const candidate = join(dir, file + ext);
      if (existsSync(candidate)) return candidate;
    }
  }
  return file;
}

/**
 * The command line to start. On Windows a `.cmd`/`.bat` file can only run inside cmd.exe (Node
 * refuses it otherwise since CVE-2024-27980), so it is wrapped with every argument quoted and
 * its metacharacters escaped: an audience such as `https://a/?x=1&y=2` reaches the script intact.
 */
function commandLine(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): { command: string; args: string[]; verbatim: boolean } {
  if (process.platform !== 'win32') return { command: file, args: [...args], verbatim: false };
  const resolved = resolveOnWindowsPath(file, env);
  if (!/\.(cmd|bat)$/i.test(resolved)) {
    return { command: resolved, args: [...args], verbatim: false };
  }
  const line = [resolved.replace(CMD_META, '^$1'), ...args.map(quoteForCmd)].join(' ');
  return {
    command: env.ComSpec ?? env.COMSPEC ?? 'cmd.exe',
    args: ['/d', '/s', '/c', `"${line}"`],
    verbatim: true,
  };
}

/** The child's environment: ours, with the given variables set (undefined removes one). */
function childEnv(overrides: Readonly<Record<string, string | undefined>> | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Stops a child and, on Windows, the processes it started (cmd.exe runs the real CLI). */
function stop(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (process.platform === 'win32' && child.pid !== undefined) {
    execFile('taskkill', ['/pid', String(child.pid), '/T', '/F'], { windowsHide: true }, () => {
      child.kill();
    });
    return;
  }
  child.kill('SIGTERM');
  setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, KILL_GRACE_MS).unref();
}

function spawnFailure(
  file: string,
  error: { code?: unknown; message: string },
): TokenExplorerError {
  switch (error.code) {
    case 'ENOENT':
      return new TokenExplorerError(
        'cli-not-found',
        `${file} was not found. Install it, or give its full path in the settings.`,
        { cause: error },
      );
    case 'EACCES':
    case 'EPERM':
      return new TokenExplorerError(
        'cli-not-found',
        `${file} could not be started: permission denied (is it an executable file?). Check the path in the settings.`,
        { cause: error },
      );
    case 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER':
      return new TokenExplorerError(
        'cli-failed',
        `${file} printed more than ${MAX_BUFFER / 1024 / 1024} MB and was stopped; that is not the answer expected. Run it in a terminal to see what it prints.`,
        { cause: error },
      );
    default:
      return new TokenExplorerError(
        'cli-failed',
        `${file} could not be run: ${String(error.code ?? error.message)}.`,
        { cause: error },
      );
  }
}

/** Starts the time limit of one run: calls `onTimeout` after `ms` unless cancelled first. */
export type TimeLimit = (ms: number, onTimeout: () => void) => { cancel(): void };

const realTimeLimit: TimeLimit = (ms, onTimeout) => {
  const timer = setTimeout(onTimeout, ms);
  return { cancel: () => clearTimeout(timer) };
};

/**
 * Runs executables with `child_process.execFile`: no shell, no console window, output capped at
 * 4 MB. A process that outlives `timeoutMs` or whose `signal` aborts is killed, and the promise
 * rejects at once (`timeout` / `cancelled`). A non-zero exit is not an error here: the result
 * carries it, for the caller to explain. `timeLimit` is the wall clock (tests drive it by hand).
 */
export function createNodeProcessRunner(timeLimit: TimeLimit = realTimeLimit): ProcessRunner {
  return {
    run: (file, args, options) => runProcess(timeLimit, file, args, options),
  };
}

/** The runner on the real clock. */
export const nodeProcessRunner: ProcessRunner = createNodeProcessRunner();

function runProcess(
  timeLimit: TimeLimit,
  file: string,
  args: readonly string[],
  options: Parameters<ProcessRunner['run']>[2],
): Promise<ProcessResult> {
  return new Promise<ProcessResult>((resolve, reject) => {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) {
      reject(new TokenExplorerError('cancelled', `${file} was cancelled before it started.`));
      return;
    }
    const env = childEnv(options.env);
    const line = commandLine(file, args, env);
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      limit.cancel();
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const child = execFile(
      line.command,
      line.args,
      {
        env,
        encoding: 'utf8',
        maxBuffer: MAX_BUFFER,
        windowsHide: true,
        windowsVerbatimArguments: line.verbatim,
      },
      (error, stdout, stderr) => {
        finish(() => {
          if (!error) {
            resolve({ stdout, stderr, exitCode: 0 });
          } else if (typeof error.code === 'number') {
            resolve({ stdout, stderr, exitCode: error.code });
          } else if ((error.code === undefined || error.code === null) && error.signal) {
            resolve({ stdout, stderr, exitCode: null });
          } else {
            reject(spawnFailure(file, error));
          }
        });
      },
    );
    const limit = timeLimit(timeoutMs, () => {
      finish(() => {
        stop(child);
        reject(
          new TokenExplorerError(
            'timeout',
            `${file} did not finish within ${timeoutMs / 1000} s and was stopped. Run the same command in a terminal to see whether it waits for input or the network.`,
          ),
        );
      });
    });
    const onAbort = (): void => {
      finish(() => {
        stop(child);
        reject(new TokenExplorerError('cancelled', `${file} was cancelled.`));
      });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
