import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { isAbsolute } from 'node:path';
import type { Probes } from '../../../scripts/lib/machine.mjs';
import {
  chooseBackend,
  findChromium,
  planSystemPackages,
  realProbes,
} from '../../../scripts/lib/machine.mjs';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
const MINT = 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';
const EVERYTHING = ['chromium', 'rg', 'krb5-config', 'make', 'g++', 'python3', 'apt-get'];

/** A machine with these executables on PATH. */
function machine(onPath: readonly string[], overrides: Partial<Probes> = {}): Probes {
  return {
    platform: 'linux',
    isRoot: false,
    env: {},
    which: (command) => (onPath.includes(command) ? `/usr/bin/${command}` : undefined),
    exists: () => false,
    osRelease: DEBIAN,
    ...overrides,
  };
}
const without = (...names: string[]) => EVERYTHING.filter((name) => !names.includes(name));
const ALL = { browser: true, codeServerInstall: true };

describe('planSystemPackages', () => {
  it('is ready when everything is there', () => {
    assert.equal(planSystemPackages(ALL, machine(EVERYTHING)).action, 'ready');
  });

  it('as root on Debian, installs exactly the missing packages after apt-get update', () => {
    const plan = planSystemPackages(
      ALL,
      machine(without('chromium', 'rg', 'krb5-config'), { isRoot: true }),
    );
    assert.equal(plan.action, 'install');
    assert.deepEqual(plan.commands, [
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium', 'ripgrep', 'libkrb5-dev'],
    ]);
  });

  it('as a user, prints one command with sudo naming every missing package', () => {
    const plan = planSystemPackages(ALL, machine(without('rg', 'make', 'python3')));
    assert.equal(plan.action, 'instruct');
    assert.match(
      plan.message,
      /sudo apt-get update && sudo apt-get install -y --no-install-recommends ripgrep build-essential python3\n/,
    );
    assert.deepEqual(plan.missing, ['ripgrep (rg)', 'a C++ toolchain (make, g++)', 'Python 3']);
    assert.deepEqual(plan.commands, []);
  });

  it('takes the Ubuntu name of the Chromium package, on Ubuntu and its derivatives', () => {
    for (const osRelease of [UBUNTU, MINT]) {
      const plan = planSystemPackages(
        ALL,
        machine(without('chromium'), { isRoot: true, osRelease }),
      );
      assert.deepEqual(plan.commands[1]?.slice(-1), ['chromium-browser']);
    }
  });

  it('asks only for what the coming runs need', () => {
    const bare = machine(['apt-get']);
    assert.deepEqual(
      planSystemPackages({ browser: true, codeServerInstall: false }, bare).missing,
      ['Chromium'],
    );
    assert.equal(
      planSystemPackages({ browser: false, codeServerInstall: false }, bare).action,
      'ready',
    );
    const installOnly = planSystemPackages({ browser: false, codeServerInstall: true }, bare);
    assert.equal(installOnly.missing.length, 4);
  });

  it('accepts any Chromium or Chrome on PATH, or CHROMIUM_PATH when it exists', () => {
    const onPath = without('chromium');
    assert.equal(findChromium(machine([...onPath, 'google-chrome'])), '/usr/bin/google-chrome');
    const configured = machine(onPath, {
      env: { CHROMIUM_PATH: '/opt/chrome/chrome' },
      exists: (p) => p === '/opt/chrome/chrome',
    });
    assert.equal(findChromium(configured), '/opt/chrome/chrome');
    assert.equal(planSystemPackages(ALL, configured).action, 'ready');
    const wrongPath = machine(EVERYTHING, { env: { CHROMIUM_PATH: '/nope' } });
    assert.equal(
      findChromium(wrongPath),
      undefined,
      'a CHROMIUM_PATH that is not there counts as missing',
    );
  });

  it('tells other platforms what is needed instead of running apt-get', () => {
    for (const probes of [
      machine(['rg'], { platform: 'darwin', osRelease: undefined }),
      machine(['rg'], { platform: 'win32', osRelease: undefined }),
      machine(['rg', 'dnf'], { osRelease: FEDORA }),
      machine(['rg'], { osRelease: DEBIAN }),
    ]) {
      const plan = planSystemPackages(ALL, probes);
      assert.equal(plan.action, 'unsupported', probes.platform);
      assert.match(plan.message, /Chromium or Chrome, with CHROMIUM_PATH/);
      assert.match(plan.message, /make and a C\+\+ compiler/);
      assert.doesNotMatch(plan.message, /apt-get/);
    }
  });
});

describe('chooseBackend', () => {
  const probe = (
    env: Record<string, string>,
    onPath: string[] = [],
    hasVsCodeDownload = false,
  ) => ({
    ...machine(onPath, { env }),
    hasVsCodeDownload,
  });

  it('takes code-server when no desktop VS Code is on this machine, whatever the network', () => {
    assert.equal(chooseBackend(probe({ DISPLAY: ':0' })).backend, 'code-server');
  });

  it('takes a desktop VS Code from VSCODE_EXECUTABLE or .vscode-test/ when there is a display', () => {
    assert.deepEqual(chooseBackend(probe({ DISPLAY: ':0', VSCODE_EXECUTABLE: '/usr/bin/code' })), {
      backend: 'electron',
      xvfb: false,
      reason: 'VSCODE_EXECUTABLE=/usr/bin/code',
    });
    assert.equal(
      chooseBackend(probe({ WAYLAND_DISPLAY: 'wayland-0' }, [], true)).backend,
      'electron',
    );
  });

  it('without a display runs it under xvfb-run, or falls back to code-server', () => {
    const withXvfb = chooseBackend(probe({ VSCODE_EXECUTABLE: '/usr/bin/code' }, ['xvfb-run']));
    assert.equal(withXvfb.backend, 'electron');
    assert.equal(withXvfb.xvfb, true);
    const bare = chooseBackend(probe({ VSCODE_EXECUTABLE: '/usr/bin/code' }));
    assert.equal(bare.backend, 'code-server');
    assert.match(bare.reason, /no display and no xvfb-run/);
  });

  it('needs no display on macOS and Windows', () => {
    const mac = chooseBackend({
      ...probe({ VSCODE_EXECUTABLE: '/Applications/code' }),
      platform: 'darwin',
    });
    assert.deepEqual([mac.backend, mac.xvfb], ['electron', false]);
  });

  it('obeys TOKEN_EXPLORER_VSCODE, and says what is wrong with a bad value or no display', () => {
    assert.equal(
      chooseBackend(
        probe({ TOKEN_EXPLORER_VSCODE: 'code-server', VSCODE_EXECUTABLE: 'x', DISPLAY: ':0' }),
      ).backend,
      'code-server',
    );
    assert.equal(
      chooseBackend(probe({ TOKEN_EXPLORER_VSCODE: 'electron', DISPLAY: ':0' })).backend,
      'electron',
    );
    assert.throws(
      () => chooseBackend(probe({ TOKEN_EXPLORER_VSCODE: 'electron' })),
      /needs a display.*xvfb/,
    );
    assert.throws(
      () => chooseBackend(probe({ TOKEN_EXPLORER_VSCODE: 'desktop' })),
      /must be electron, code-server or auto/,
    );
  });
});

describe('realProbes', () => {
  it('sees on PATH what the shell sees', function () {
    if (process.platform === 'win32') this.skip();
    const probes = realProbes();
    for (const command of [...EVERYTHING, 'sh', 'no-such-command-here']) {
      const shell = spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
      const found = probes.which(command);
      assert.equal(found !== undefined, shell, command);
      if (found) assert.ok(isAbsolute(found), found);
    }
    assert.equal(probes.isRoot, process.getuid?.() === 0);
  });
});
