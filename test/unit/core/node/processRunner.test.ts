import * as assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeEnvironment } from '../../../../src/core/node/environment';
import { nodeFileReader } from '../../../../src/core/node/fileReader';
import {
  createNodeProcessRunner,
  nodeProcessRunner,
} from '../../../../src/core/node/processRunner';
import { eventually } from '../../../helpers/poll';
import { rejectsWith } from '../../helpers/assertions';
import { useTempDir } from '../../helpers/fixtures';

const node = process.execPath;

/** Whether a process id still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('nodeProcessRunner', () => {
  const tmp = useTempDir('runner-', 'suite');

  it('captures stdout, stderr and a zero exit code', async () => {
    const result = await nodeProcessRunner.run(
      node,
      ['-e', 'process.stdout.write("out"); process.stderr.write("err")'],
      { timeoutMs: 5000 },
    );
    assert.deepEqual(result, { stdout: 'out', stderr: 'err', exitCode: 0 });
  });

  it('passes arguments verbatim, without a shell', async () => {
    const args = ['a b', '$HOME', '`id`', '; echo x', '"q"', '&&', '*'];
    const result = await nodeProcessRunner.run(
      node,
      ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...args],
      { timeoutMs: 5000 },
    );
    assert.deepEqual(JSON.parse(result.stdout), args);
  });

  it('resolves with a non-zero exit code instead of rejecting', async () => {
    const result = await nodeProcessRunner.run(
      node,
      ['-e', 'console.error("ERROR: boom"); process.exit(3)'],
      { timeoutMs: 5000 },
    );
    assert.equal(result.exitCode, 3);
    assert.equal(result.stderr, 'ERROR: boom\n');
  });

  it('reports a process ended by a signal with exit code null', async () => {
    const result = await nodeProcessRunner.run(
      node,
      ['-e', 'process.kill(process.pid, "SIGKILL")'],
      { timeoutMs: 5000 },
    );
    assert.equal(result.exitCode, null);
  });

  it('sets and removes environment variables on top of its own', async () => {
    process.env.RUNNER_TEST_REMOVE = 'present';
    try {
      const result = await nodeProcessRunner.run(
        node,
        [
          '-e',
          'console.log(JSON.stringify([process.env.RUNNER_TEST_SET, process.env.RUNNER_TEST_REMOVE ?? null, !!process.env.PATH]))',
        ],
        { timeoutMs: 5000, env: { RUNNER_TEST_SET: 'yes', RUNNER_TEST_REMOVE: undefined } },
      );
      assert.deepEqual(JSON.parse(result.stdout), ['yes', null, true]);
    } finally {
      delete process.env.RUNNER_TEST_REMOVE;
    }
  });

  it('rejects with cli-not-found, naming the file, when it does not exist', async () => {
    const missing = join(tmp.path, 'no-such-cli');
    const error = await rejectsWith(
      nodeProcessRunner.run(missing, [], { timeoutMs: 5000 }),
      'cli-not-found',
    );
    assert.match(error.message, /no-such-cli was not found/);
  });

  it('rejects with cli-not-found when the file is not executable', async function () {
    if (process.platform === 'win32') this.skip();
    const file = join(tmp.path, 'not-executable');
    await writeFile(file, '#!/bin/sh\necho hi\n');
    await chmod(file, 0o644);
    const error = await rejectsWith(
      nodeProcessRunner.run(file, [], { timeoutMs: 5000 }),
      'cli-not-found',
    );
    assert.match(error.message, /permission denied/);
  });

  it('kills a process that outlives the timeout and rejects at once', async () => {
    // The time limit is driven by hand, once the child has surely started: a real 300 ms timer
    // would race Node's own start-up on a loaded machine.
    let expire: (() => void) | undefined;
    let limitMs = 0;
    const runner = createNodeProcessRunner((ms, onTimeout) => {
      limitMs = ms;
      expire = onTimeout;
      return { cancel: () => (expire = undefined) };
    });
    const pidFile = join(tmp.path, 'hang.pid');
    const run = runner.run(
      node,
      [
        '-e',
        `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1e9)`,
      ],
      { timeoutMs: 300 },
    );
    run.catch(() => undefined); // awaited below, once the limit has expired
    const pid = Number(
      await eventually('the child to write its pid', () => readFile(pidFile, 'utf8'), Boolean),
    );
    assert.equal(limitMs, 300);
    assert.ok(alive(pid), 'the child runs before the limit');
    assert.ok(expire, 'the time limit is armed while the child runs');
    expire();
    await rejectsWith(run, 'timeout', /did not finish within 0.3 s and was stopped/);
    await eventually(
      'the child to be killed',
      () => alive(pid),
      (running) => !running,
      5000,
      50,
    );
  });

  it('kills the process and rejects with cancelled when the signal aborts', async () => {
    const controller = new AbortController();
    const run = nodeProcessRunner.run(node, ['-e', 'setInterval(() => {}, 1e9)'], {
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await rejectsWith(run, 'cancelled');
    assert.ok(Date.now() - started < 2000);
  });

  it('does not start a process when the signal has already aborted', async () => {
    await rejectsWith(
      nodeProcessRunner.run(node, ['-e', ''], {
        timeoutMs: 5000,
        signal: AbortSignal.abort(),
      }),
      'cancelled',
    );
  });

  it('stops a process that floods its output beyond 4 MB', async () => {
    const error = await rejectsWith(
      nodeProcessRunner.run(
        node,
        [
          '-e',
          'const s = "x".repeat(1 << 20); for (let i = 0; i < 6; i++) process.stdout.write(s)',
        ],
        { timeoutMs: 10_000 },
      ),
      'cli-failed',
    );
    assert.match(error.message, /more than 4 MB/);
  });
});

describe('nodeFileReader', () => {
  const tmp = useTempDir('reader-', 'suite');

  it('reads a UTF-8 file', async () => {
    await writeFile(join(tmp.path, 'a.json'), '{"ü": 1}');
    assert.equal(await nodeFileReader.readText(join(tmp.path, 'a.json')), '{"ü": 1}');
  });

  it('answers undefined for a missing file or folder', async () => {
    assert.equal(await nodeFileReader.readText(join(tmp.path, 'missing.json')), undefined);
    assert.equal(await nodeFileReader.readText(join(tmp.path, 'a.json', 'below')), undefined);
  });

  it('explains a folder given instead of a file', async () => {
    const error = await rejectsWith(nodeFileReader.readText(tmp.path), 'bad-config');
    assert.match(error.message, /is a folder, not a file|EISDIR/);
  });
});

describe('nodeEnvironment', () => {
  it('reads the process environment and machine facts', () => {
    process.env.ENV_TEST_VALUE = 'v';
    try {
      assert.equal(nodeEnvironment.get('ENV_TEST_VALUE'), 'v');
      assert.equal(nodeEnvironment.get('ENV_TEST_MISSING_VALUE'), undefined);
      assert.equal(nodeEnvironment.platform, process.platform);
      assert.ok(nodeEnvironment.homeDir.length > 0);
    } finally {
      delete process.env.ENV_TEST_VALUE;
    }
  });
});
