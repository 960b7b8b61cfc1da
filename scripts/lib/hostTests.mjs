// Runs out/test/integration (mocha inside VS Code's extension host) on a desktop VS Code through
// @vscode/test-electron when one is on this machine, otherwise on code-server driven by Chromium.
// Run directly (`node scripts/lib/hostTests.mjs`) it exits with the suite's exit code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launchChromium, repoRoot, startCodeServer, workbenchUrl } from './codeServer.mjs';
import { chooseBackend, realProbes } from './machine.mjs';

const TIMEOUT_MS = 10 * 60 * 1000;
/**
 * @param {string} workspace
 * @param {string} extensionTestsPath
 * @returns {Promise<number>} the exit code
 */
async function runOnElectron(workspace, extensionTestsPath) {
  const { runTests } = await import('@vscode/test-electron');
  return runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { TOKEN_EXPLORER_TEST_WORKSPACE: workspace },
  });
}

/**
 * What test-electron does, on code-server: the workbench runs extensionTestsPath in its Node extension
 * host and reports the result through window.codeAutomationExit.
 * @param {string} workspace
 * @param {string} extensionTestsPath
 * @returns {Promise<number>} the exit code
 */
async function runOnCodeServer(workspace, extensionTestsPath) {
  // code-server hands its environment to the extension host.
  const server = await startCodeServer({ env: { TOKEN_EXPLORER_TEST_WORKSPACE: workspace } });
  const browser = await launchChromium().catch(async (error) => {
    await server.stop();
    throw error;
  });
  try {
    const page = await browser.newPage();
    /** @type {Promise<number>} */
    const exitCode = new Promise((resolve) => {
      void page.exposeFunction('codeAutomationExit', (/** @type {number} */ code) => resolve(code));
    });
    const forward = consoleForwarder();
    page.on('console', forward.add);
    await page.goto(
      workbenchUrl(server, {
        folder: workspace,
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath,
      }),
    );
    const code = await exitCode;
    await forward.flushed();
    return code;
  } finally {
    await browser.close();
    await server.stop();
  }
}

/**
 * In test mode the workbench logs what the extension host writes to the console through its log
 * service, as console.log('%c INFO', css, format, ...args). Prints those messages from the test
 * runner's first line on (the workbench's start-up chatter comes before), in order.
 */
function consoleForwarder() {
  let started = false;
  let queue = Promise.resolve();
  /** @param {import('playwright-core').ConsoleMessage} message */
  async function print(message) {
    const values = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => '')));
    const [level, , ...rest] = values;
    if (typeof level !== 'string' || !/^%c\s*(INFO|WARN|ERR)\b/.test(level)) return;
    const text = format(...rest);
    started ||= /^Running \d+ extension-host test file/.test(text);
    if (started) console.log(text);
  }
  return {
    /** @param {import('playwright-core').ConsoleMessage} message */
    add: (message) => void (queue = queue.then(() => print(message))),
    flushed: () => queue,
  };
}

/** @returns {Promise<number>} the exit code of the extension-host suite */
/** The backend for this machine (see chooseBackend in machine.mjs). */
export function hostBackend() {
  const downloads = join(repoRoot, '.vscode-test');
  const hasVsCodeDownload =
    existsSync(downloads) && readdirSync(downloads).some((name) => name.startsWith('vscode-'));
  return chooseBackend({ ...realProbes(), hasVsCodeDownload });
}

export async function runHostTests() {
  const extensionTestsPath = join(repoRoot, 'out', 'test', 'integration', 'index.js');
  if (!existsSync(extensionTestsPath)) {
    throw new Error(`${extensionTestsPath} is missing: run node esbuild.mjs --tests`);
  }
  const { backend, xvfb, reason } = hostBackend();
  console.error(`extension host: ${backend} (${reason})`);
  if (xvfb) {
    // Desktop VS Code needs a display: run this same script inside a virtual one.
    const script = fileURLToPath(import.meta.url);
    return (
      spawnSync('xvfb-run', ['-a', process.execPath, script], {
        stdio: 'inherit',
        env: { ...process.env, TOKEN_EXPLORER_VSCODE: 'electron' },
      }).status ?? 1
    );
  }
  const workspace = mkdtempSync(join(tmpdir(), 'token-explorer-test-'));
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`extension-host tests did not finish within ${TIMEOUT_MS / 60000} min`)),
      TIMEOUT_MS,
    );
  });
  const run = backend === 'electron' ? runOnElectron : runOnCodeServer;
  try {
    return await Promise.race([run(workspace, extensionTestsPath), timeout]);
  } finally {
    clearTimeout(timer);
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runHostTests().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`extension-host tests failed: ${error.message}`);
      process.exit(1);
    },
  );
}
