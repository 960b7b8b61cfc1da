// `npm start [-- --clean] [-- --folder DIR]`: builds, starts code-server on 127.0.0.1 with the
// extension in development mode and DIR (default: this repo) open, and prints the URL to open.
// By default it also starts the project's emulators (metadata server, Google APIs, a Cloud Run
// service) and opens a throwaway profile with demo accounts that use them
// (test/emulators/demo.ts); --clean opens an empty profile instead. The profile lives in code-server's run dir, never in your own VS Code
// settings. Ctrl-C stops everything (codeServer.mjs kills its process group).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { codeServerInstalled, repoRoot, startCodeServer, workbenchUrl } from './lib/codeServer.mjs';
import { ensureSystemPackages } from './lib/machine.mjs';

const { values } = parseArgs({
  options: {
    folder: { type: 'string', default: repoRoot },
    clean: { type: 'boolean', default: false },
  },
});
ensureSystemPackages({ browser: false, codeServerInstall: !codeServerInstalled() });
const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

/** @type {import('../test/emulators/demo').Demo | undefined} */
let demo;
if (!values.clean) {
  const outfile = join(repoRoot, 'out', 'demo', 'demo.js');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'test', 'emulators', 'demo.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  const dir = mkdtempSync(join(tmpdir(), 'token-explorer-demo-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  /** @type {typeof import('../test/emulators/demo')} */
  const { startDemo } = createRequire(import.meta.url)(outfile);
  demo = await startDemo(dir);
}

const server = await startCodeServer(
  demo ? { settings: demo.settings, machineSettings: demo.machineSettings, env: demo.env } : {},
);
const url = workbenchUrl(server, {
  folder: resolve(values.folder),
  extensionDevelopmentPath: repoRoot,
});
const intro = demo
  ? [
      'Demo accounts (Token Explorer in the activity bar), served by local emulators:',
      ...demo.accounts.map((line) => `  - ${line}`),
      'Press the key icon on "Demo: metadata server (emulated)" to get an ID token, then the',
      'search icon to inspect and verify it; "Call service..." there with the service URL above',
      'answers 200 (another audience: 401, explained). npm start -- --clean opens an empty profile.',
    ]
  : ['Empty profile (--clean): no accounts, no emulators.'];
console.log(
  [
    '',
    `Open ${url}`,
    'in a browser.',
    ...intro,
    'Rebuild with npm run build and reload the page; Ctrl-C stops.',
  ].join('\n'),
);
// The server process is unref'd: keep this one alive until Ctrl-C.
setInterval(() => {}, 60_000);
