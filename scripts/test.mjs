// `npm test`: lint, type-check, build, then the unit, extension-host and UI end-to-end runners.
// Usage: node scripts/test.mjs [--only unit|host|e2e ...] [--skip-lint] [--screenshots]
// UI tests save screenshots in the git-ignored test-results/screenshots/; --screenshots (what
// `npm run screenshots` passes) has them refresh the README's images in media/screenshots/.
// Ends with one line per stage and `N passed, N failed`; exits non-zero when anything failed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { codeServerInstalled, repoRoot } from './lib/codeServer.mjs';
import { hostBackend } from './lib/hostTests.mjs';
import { ensureSystemPackages } from './lib/machine.mjs';

const RUNNERS = ['unit', 'host', 'e2e'];
const mocha = [process.execPath, join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js')];

/**
 * @typedef {object} Stage
 * @property {string} name
 * @property {string[]} command
 * @property {boolean} [required] later stages are pointless when this one fails
 * @property {string} [note] printed in the summary, e.g. which backend ran
 */

/** @type {Stage[]} */
const ALL_STAGES = [
  { name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
  { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'] },
  { name: 'build', command: [process.execPath, 'esbuild.mjs', '--tests'], required: true },
  { name: 'unit', command: [...mocha, '--config', '.mocharc.json'] },
  { name: 'host', command: [process.execPath, join('scripts', 'lib', 'hostTests.mjs')] },
  { name: 'e2e', command: [...mocha, '--config', '.mocharc.e2e.json'] },
];

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    'skip-lint': { type: 'boolean', default: false },
    screenshots: { type: 'boolean', default: false },
  },
});
if (values.screenshots) process.env.TOKEN_EXPLORER_SCREENSHOTS = 'readme';
const only = (values.only ?? []).flatMap((value) => value.split(',')).map((name) => name.trim());
for (const name of only) {
  if (!RUNNERS.includes(name)) {
    console.error(`--only takes ${RUNNERS.join(', ')}; got "${name}"`);
    process.exit(2);
  }
}
const stages = ALL_STAGES.filter(({ name }) => {
  if (name === 'build') return true;
  if (RUNNERS.includes(name)) return only.length === 0 || only.includes(name);
  return only.length === 0 && !values['skip-lint'];
});

// The system packages the suites need, checked (and as root installed) before any stage runs.
const runs = (/** @type {string} */ name) => stages.some((stage) => stage.name === name);
const codeServerHost = runs('host') && hostBackend().backend === 'code-server';
if (runs('e2e') || codeServerHost) {
  ensureSystemPackages({ browser: true, codeServerInstall: !codeServerInstalled() });
}

/** @type {import('node:child_process').ChildProcess | undefined} */
let current;
let interrupted = false;
// Ctrl-C reaches the running stage through the terminal, but a signal sent to this process alone
// does not: pass a SIGTERM on. Each stage stops the servers it started; then report and stop.
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    interrupted = true;
    current?.kill('SIGTERM');
  });
}

/**
 * Runs one stage, teeing its output, and reads mocha's `N passing` / `N failing` lines.
 * @param {Stage} stage
 * @returns {Promise<{ ok: boolean; passed: number; failed: number; seconds: number; note: string }>}
 */
function run(stage) {
  const started = Date.now();
  console.log(`\n=== ${stage.name}: ${stage.command.join(' ')}`);
  const env = { ...process.env };
  if (process.stdout.isTTY) env.FORCE_COLOR = '1';
  const child = spawn(stage.command[0], stage.command.slice(1), {
    cwd: repoRoot,
    env,
    stdio: ['inherit', 'pipe', 'pipe'],
  });
  current = child;
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
    process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
    process.stderr.write(chunk);
  });
  return new Promise((resolve) => {
    child.on('error', (error) => {
      output += error.message;
      console.error(error.message);
    });
    child.on('close', (code) => {
      // eslint-disable-next-line no-control-regex
      const text = output.replace(/\x1b\[[0-9;]*m/g, '');
      const count = (/** @type {string} */ word) =>
        Number(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'm').exec(text)?.[1] ?? 0);
      resolve({
        ok: code === 0,
        passed: count('passing'),
        failed: count('failing'),
        seconds: (Date.now() - started) / 1000,
        note: /^extension host: (\S+)/m.exec(text)?.[1] ?? '',
      });
    });
  });
}

const results = [];
for (const stage of stages) {
  if (interrupted) break;
  const result = await run(stage);
  results.push({ name: stage.name, ...result });
  if (!result.ok && stage.required) break;
}

console.log('\n=== summary');
let passed = 0;
let failed = 0;
for (const result of results) {
  passed += result.passed;
  // A stage that failed without reporting failing tests (lint, a crash) counts as one failure.
  failed += result.failed || (result.ok ? 0 : 1);
  const counts = RUNNERS.includes(result.name)
    ? `${result.passed} passed, ${result.failed} failed`
    : '';
  const note = result.note && `on ${result.note}`;
  const status = result.ok ? 'ok' : 'FAILED';
  console.log(
    `${result.name.padEnd(10)} ${status.padEnd(7)} ${counts.padEnd(22)} ${result.seconds.toFixed(1).padStart(6)} s  ${note}`.trimEnd(),
  );
}
const skipped = stages.slice(results.length).map(({ name }) => name);
if (skipped.length > 0) {
  console.log(`not run: ${skipped.join(', ')}${interrupted ? ' (interrupted)' : ''}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = interrupted ? 130 : failed > 0 ? 1 : 0;
