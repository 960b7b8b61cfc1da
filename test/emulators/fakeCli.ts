import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** How to make one fake CLI: which script plays it and what it starts with. */
export interface FakeCliOptions<State> {
  /** The command's name (`gcloud`): the wrapper's file name and the temp folder's prefix. */
  readonly name: string;
  /** The script that plays it, relative to test/emulators (`gcloud/gcloud.mjs`). */
  readonly script: string;
  /** The environment variables that point the script at its state file and its call log. */
  readonly stateEnv: string;
  readonly logEnv: string;
  /** Written as JSON to the state file the script reads. */
  readonly state: State;
}

export interface FakeCli<State> {
  /** The executable to run: a wrapper that points the script at this state. */
  readonly path: string;
  readonly statePath: string;
  /** Replaces parts of the state for the following runs. */
  update(changes: Partial<State>): Promise<void>;
  /** The arguments of every run so far, oldest first. */
  calls(): Promise<string[][]>;
  cleanup(): Promise<void>;
}

/**
 * Finds a fake's script in the repository: esbuild bundles these helpers into out/ (or
 * elsewhere), so it looks upwards from both the bundle and the working folder.
 */
export function findScript(name: string, script: string): string {
  const relative = join('test', 'emulators', ...script.split('/'));
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, relative);
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  const maker = `fake${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  throw new Error(`${maker}: ${relative} not found above ${__dirname} or ${process.cwd()}`);
}

/** A POSIX shell or Windows batch wrapper that runs the script with this fake's state. */
function wrapper(
  options: FakeCliOptions<unknown>,
  script: string,
  statePath: string,
  logPath: string,
): string {
  const { stateEnv, logEnv } = options;
  // process.execPath is Electron inside the VS Code extension host; make it behave as node.
  if (process.platform === 'win32') {
    return [
      '@echo off',
      'set ELECTRON_RUN_AS_NODE=1',
      `set "${stateEnv}=${statePath}"`,
      `set "${logEnv}=${logPath}"`,
      `"${process.execPath}" "${script}" %*`,
      '',
    ].join('\r\n');
  }
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    `ELECTRON_RUN_AS_NODE=1 ${stateEnv}=${q(statePath)} ${logEnv}=${q(logPath)} \\`,
    `  exec ${q(process.execPath)} ${q(script)} "$@"`,
    '',
  ].join('\n');
}

/**
 * Writes a fake CLI's state and an empty call log to a temp folder, and a wrapper executable
 * there that runs the script (a Node ESM file under test/emulators) with them.
 */
export async function makeFakeCli<State>(options: FakeCliOptions<State>): Promise<FakeCli<State>> {
  const { name } = options;
  const dir = await mkdtemp(join(tmpdir(), `fake-${name}-`));
  const statePath = join(dir, 'state.json');
  const logPath = join(dir, 'calls.jsonl');
  const path = join(dir, process.platform === 'win32' ? `${name}.cmd` : name);
  let state = options.state;
  const save = () => writeFile(statePath, JSON.stringify(state, null, 2));
  await save();
  await writeFile(logPath, '');
  await writeFile(path, wrapper(options, findScript(name, options.script), statePath, logPath));
  await chmod(path, 0o755);
  return {
    path,
    statePath,
    async update(changes) {
      state = { ...state, ...changes };
      await save();
    },
    async calls() {
      const text = await readFile(logPath, 'utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string[]);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
