// What this machine must have for the extension-host and UI suites and for `npm start`, found
// before anything runs: on Debian/Ubuntu the missing packages are installed when we are root and
// named in one command otherwise; other platforms get a list of what to install. Also picks the
// extension-host backend from what is on this machine (never from whether a server answers).
// Every probe is injected, so the decisions are unit-tested (test/unit/scripts/machine.test.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * @typedef {object} Probes what the decisions look at
 * @property {NodeJS.Platform} platform
 * @property {boolean} isRoot
 * @property {Readonly<Record<string, string | undefined>>} env
 * @property {(command: string) => string | undefined} which the path of an executable on PATH
 * @property {(path: string) => boolean} exists
 * @property {string | undefined} osRelease the text of /etc/os-release, if any
 */

/**
 * @typedef {object} Requirement one thing a suite needs from the system
 * @property {string} what shown to the user
 * @property {string} why
 * @property {(probes: Probes) => boolean} present
 * @property {(distro: 'debian' | 'ubuntu') => string} aptPackage
 * @property {string} elsewhere how to get it on another platform
 */

/**
 * @param {Probes} probes
 * @param {string} command
 */
const onPath = (probes, command) => probes.which(command) !== undefined;

/** The Chromium the UI tests drive: CHROMIUM_PATH, else the first browser found on PATH. */
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/**
 * @param {Probes} probes
 * @returns {string | undefined} the executable, or undefined when there is none
 */
export function findChromium(probes) {
  const configured = probes.env.CHROMIUM_PATH;
  if (configured) return probes.exists(configured) ? configured : undefined;
  for (const name of CHROMIUM_NAMES) {
    const path = probes.which(name);
    if (path) return path;
  }
  return undefined;
}

/** @type {Record<string, Requirement>} */
const REQUIREMENTS = {
  chromium: {
    what: 'Chromium',
    why: 'the UI tests and the code-server extension-host runner drive VS Code in it',
    present: (probes) => findChromium(probes) !== undefined,
    // Ubuntu's chromium package is a snap wrapper, which also works; Debian's is the browser.
    aptPackage: (distro) => (distro === 'ubuntu' ? 'chromium-browser' : 'chromium'),
    elsewhere: 'Chromium or Chrome, with CHROMIUM_PATH=/path/to/its/executable',
  },
  ripgrep: {
    what: 'ripgrep (rg)',
    why: "code-server's install takes rg from the system instead of downloading it from GitHub",
    present: (probes) => onPath(probes, 'rg'),
    aptPackage: () => 'ripgrep',
    elsewhere: 'ripgrep (https://github.com/BurntSushi/ripgrep#installation)',
  },
  kerberos: {
    what: 'Kerberos development files (krb5-config)',
    why: "code-server's kerberos module compiles against them",
    present: (probes) => onPath(probes, 'krb5-config'),
    aptPackage: () => 'libkrb5-dev',
    elsewhere: 'the MIT Kerberos development files (krb5-config on PATH)',
  },
  compiler: {
    what: 'a C++ toolchain (make, g++)',
    why: "code-server's native modules (node-pty, argon2) compile during its install",
    present: (probes) => onPath(probes, 'make') && onPath(probes, 'g++'),
    aptPackage: () => 'build-essential',
    elsewhere: 'make and a C++ compiler',
  },
  python: {
    what: 'Python 3',
    why: 'node-gyp, which compiles those native modules, runs on it',
    present: (probes) => onPath(probes, 'python3'),
    aptPackage: () => 'python3',
    elsewhere: 'Python 3',
  },
};

/**
 * @typedef {object} Needs
 * @property {boolean} browser the UI or code-server host suite will run
 * @property {boolean} codeServerInstall code-server is not installed yet and will be
 */

/**
 * @typedef {object} Plan
 * @property {'ready' | 'install' | 'instruct' | 'unsupported'} action
 * @property {string[]} missing what is missing, as shown to the user
 * @property {string[][]} commands for `install`: the commands to run, in order
 * @property {string} message for `instruct` and `unsupported`: the one message to print
 */

/**
 * @param {string | undefined} osRelease
 * @returns {'debian' | 'ubuntu' | undefined}
 */
function aptDistro(osRelease) {
  if (!osRelease) return undefined;
  const field = (/** @type {string} */ name) =>
    new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(osRelease)?.[1]?.toLowerCase() ?? '';
  const ids = [field('ID'), ...field('ID_LIKE').split(/\s+/)];
  if (ids.includes('ubuntu')) return 'ubuntu';
  if (ids.includes('debian')) return 'debian';
  return undefined;
}

/**
 * Decides what to do about the system packages these needs call for.
 * @param {Needs} needs
 * @param {Probes} probes
 * @returns {Plan}
 */
export function planSystemPackages(needs, probes) {
  const wanted = [
    ...(needs.browser ? ['chromium'] : []),
    ...(needs.codeServerInstall ? ['ripgrep', 'kerberos', 'compiler', 'python'] : []),
  ].map((key) => /** @type {Requirement} */ (REQUIREMENTS[key]));
  const missing = wanted.filter((requirement) => !requirement.present(probes));
  const names = missing.map((requirement) => requirement.what);
  if (missing.length === 0) return { action: 'ready', missing: [], commands: [], message: '' };
  const distro = probes.platform === 'linux' ? aptDistro(probes.osRelease) : undefined;
  if (!distro || !onPath(probes, 'apt-get')) {
    const lines = missing.map((r) => `  - ${r.elsewhere}: ${r.why}`);
    return {
      action: 'unsupported',
      missing: names,
      commands: [],
      message: [
        `The extension-host and UI tests need, on this ${probes.platform} machine:`,
        ...lines,
        'Install them and run npm test again (npm test -- --only unit needs none of them).',
      ].join('\n'),
    };
  }
  const packages = [...new Set(missing.map((r) => r.aptPackage(distro)))];
  const update = ['apt-get', 'update'];
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...packages];
  if (probes.isRoot)
    return { action: 'install', missing: names, commands: [update, install], message: '' };
  const sudo = (/** @type {string[]} */ argv) => ['sudo', ...argv].join(' ');
  return {
    action: 'instruct',
    missing: names,
    commands: [],
    message: [
      `Missing system packages: ${names.join(', ')}. Install them with:`,
      '',
      `  ${sudo(update)} && ${sudo(install)}`,
      '',
      'then run the same npm command again.',
    ].join('\n'),
  };
}

/**
 * @typedef {object} Backend
 * @property {'electron' | 'code-server'} backend
 * @property {boolean} xvfb whether electron must run under `xvfb-run -a` (no display)
 * @property {string} reason
 */

/**
 * The extension-host backend: a desktop VS Code when one is on this machine (VSCODE_EXECUTABLE
 * or a download in .vscode-test/) and it can show a window (a display, or xvfb-run), else
 * code-server. TOKEN_EXPLORER_VSCODE=electron|code-server forces either.
 * @param {Probes & { hasVsCodeDownload: boolean }} probes
 * @returns {Backend}
 */
export function chooseBackend(probes) {
  const { env } = probes;
  const wanted = env.TOKEN_EXPLORER_VSCODE ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'electron' && wanted !== 'code-server') {
    throw new Error(`TOKEN_EXPLORER_VSCODE must be electron, code-server or auto, not "${wanted}"`);
  }
  const headless = probes.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY;
  const xvfb = headless && onPath(probes, 'xvfb-run');
  if (wanted === 'code-server') {
    return { backend: 'code-server', xvfb: false, reason: 'TOKEN_EXPLORER_VSCODE=code-server' };
  }
  if (wanted === 'electron') {
    if (headless && !xvfb) {
      throw new Error(
        'TOKEN_EXPLORER_VSCODE=electron needs a display: set DISPLAY, or install xvfb (apt-get install -y xvfb)',
      );
    }
    return { backend: 'electron', xvfb, reason: 'TOKEN_EXPLORER_VSCODE=electron' };
  }
  const local = env.VSCODE_EXECUTABLE
    ? `VSCODE_EXECUTABLE=${env.VSCODE_EXECUTABLE}`
    : probes.hasVsCodeDownload
      ? '.vscode-test/ holds a downloaded VS Code'
      : undefined;
  if (!local) {
    return { backend: 'code-server', xvfb: false, reason: 'no desktop VS Code on this machine' };
  }
  if (headless && !xvfb) {
    return {
      backend: 'code-server',
      xvfb: false,
      reason: `${local}, but there is no display and no xvfb-run`,
    };
  }
  return {
    backend: 'electron',
    xvfb,
    reason: xvfb ? `${local}; no display, so under xvfb-run` : local,
  };
}

/** @returns {Probes} the real machine */
export function realProbes() {
  const env = process.env;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return {
    platform: process.platform,
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    env,
    which: (command) => dirs.map((dir) => join(dir, command)).find((path) => existsSync(path)),
    exists: existsSync,
    osRelease: existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : undefined,
  };
}

/**
 * Makes sure the system packages for these needs are there: installs them (as root on
 * Debian/Ubuntu) or prints one message and exits with code 1.
 * @param {Needs} needs
 */
export function ensureSystemPackages(needs) {
  const plan = planSystemPackages(needs, realProbes());
  if (plan.action === 'ready') return;
  if (plan.action === 'install') {
    console.error(`[setup] installing missing system packages: ${plan.missing.join(', ')}`);
    for (const [command, ...args] of plan.commands) {
      const result = spawnSync(/** @type {string} */ (command), args, {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      if (result.status !== 0) {
        console.error(`[setup] ${[command, ...args].join(' ')} failed (exit ${result.status})`);
        process.exit(1);
      }
    }
    return;
  }
  console.error(`\n${plan.message}\n`);
  process.exit(1);
}
