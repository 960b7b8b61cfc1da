import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A kubeconfig context as the fake kubectl knows it. */
export interface FakeKubectlContext {
  readonly namespace?: string;
  /** The bearer token sent to the API server; none means anonymous. */
  readonly token?: string;
}

/** `old-kubectl` answers like kubectl before 1.24, which has no `create token`. */
export type FakeKubectlFault = 'none' | 'old-kubectl';

/** What a test says about the fake kubectl's world. */
export interface FakeKubectlSetup {
  /** The API server, e.g. KubeApiServer.url. */
  readonly server: string;
  /** The CA that signs the server's certificate, PEM. */
  readonly caPem: string;
  readonly currentContext?: string;
  readonly contexts: Readonly<Record<string, FakeKubectlContext>>;
  readonly fault?: FakeKubectlFault;
}

export interface FakeKubectl {
  /** The executable to run as kubectl: a wrapper that points kubectl.mjs at this state. */
  readonly path: string;
  /** Replaces parts of the state for the following runs. */
  update(changes: Partial<FakeKubectlSetup>): Promise<void>;
  /** The arguments of every run so far, oldest first. */
  calls(): Promise<string[][]>;
  cleanup(): Promise<void>;
}

/** Finds kubectl.mjs above the bundle (esbuild moves this helper) or the working folder. */
function findScript(): string {
  const relative = join('test', 'emulators', 'kubernetes', 'kubectl.mjs');
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, relative);
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`fakeKubectl: ${relative} not found above ${__dirname} or ${process.cwd()}`);
}

/** A POSIX shell or Windows batch wrapper that runs kubectl.mjs with this fake's state. */
function wrapper(script: string, statePath: string, logPath: string): string {
  // process.execPath is Electron inside the VS Code extension host; make it behave as node.
  if (process.platform === 'win32') {
    return [
      '@echo off',
      'set ELECTRON_RUN_AS_NODE=1',
      `set "FAKE_KUBECTL_STATE=${statePath}"`,
      `set "FAKE_KUBECTL_LOG=${logPath}"`,
      `"${process.execPath}" "${script}" %*`,
      '',
    ].join('\r\n');
  }
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    `ELECTRON_RUN_AS_NODE=1 FAKE_KUBECTL_STATE=${q(statePath)} FAKE_KUBECTL_LOG=${q(logPath)} \\`,
    `  exec ${q(process.execPath)} ${q(script)} "$@"`,
    '',
  ].join('\n');
}

/**
 * Writes a fake kubectl's state to a temp folder, and a wrapper executable that runs
 * test/emulators/kubernetes/kubectl.mjs with it. Point `kubectlPath` at `path`.
 */
export async function makeFakeKubectl(setup: FakeKubectlSetup): Promise<FakeKubectl> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-kubectl-'));
  const statePath = join(dir, 'state.json');
  const logPath = join(dir, 'calls.jsonl');
  const path = join(dir, process.platform === 'win32' ? 'kubectl.cmd' : 'kubectl');
  let state: FakeKubectlSetup = setup;
  const save = () => writeFile(statePath, JSON.stringify(state, null, 2));
  await save();
  await writeFile(logPath, '');
  await writeFile(path, wrapper(findScript(), statePath, logPath));
  await chmod(path, 0o755);
  return {
    path,
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
