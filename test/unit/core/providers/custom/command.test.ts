import * as assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import { nodeProcessRunner } from '../../../../../src/core/node/processRunner';
import type { ProcessRunner } from '../../../../../src/core/ports';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import { customCommandProvider } from '../../../../../src/core/providers/custom/command';
import { testContext } from '../../../../helpers/context';
import { OidcIssuer } from '../../../../emulators/oidcIssuer';
import { rejectsWithout, verifyThroughIssuer } from '../../../helpers/assertions';
import { useTempDir } from '../../../helpers/fixtures';

const AUDIENCE = 'https://api.example.com/?a=1&b=2';

/**
 * A fake token tool: `node tool.js MODE [args...]`. It reads the token from token.txt next to it,
 * records its arguments in argv.json, and prints what MODE says.
 */
const TOOL = `
const fs = require('node:fs');
const path = require('node:path');
const [mode, ...rest] = process.argv.slice(2);
const token = fs.readFileSync(path.join(__dirname, 'token.txt'), 'utf8');
fs.writeFileSync(path.join(__dirname, 'argv.json'), JSON.stringify(rest));
switch (mode) {
  case 'raw': process.stdout.write('  "' + token + '"\\n'); break;
  case 'text': process.stdout.write('Your token:\\n' + token + '\\n(valid 1h)\\n'); break;
  case 'coloured': process.stdout.write('\\x1b[1mtoken:\\x1b[22m \\x1b[32m' + token + '\\x1b[39m\\n'); break;
  case 'hyperlinked': process.stdout.write('\\x1b]8;;https://x.example/\\x1b\\\\' + token + '\\x1b]8;;\\x1b\\\\\\n'); break;
  case 'json': process.stdout.write(JSON.stringify({ data: { id_token: token, expires_in: 3600 } })); break;
  case 'json-list': process.stdout.write(JSON.stringify({ tokens: [{ value: 'x' }, { value: token }] })); break;
  case 'json-empty': process.stdout.write(JSON.stringify({ data: { count: 1, ok: true } })); break;
  case 'garbage': process.stdout.write('token: not-here\\n'); break;
  case 'silent': break;
  case 'fail':
    process.stderr.write('\\n  error: audience not allowed  \\n\\nhint: check the config\\nleaked ' + token + '\\n');
    process.exit(3);
  case 'hang': setInterval(() => undefined, 1000); break;
  default: process.exit(9);
}
`;

interface TestContext extends ProviderContext {
  readonly warnings: string[];
}

function context(
  options: { timeoutMs?: number; trusted?: boolean; runner?: ProcessRunner } = {},
): TestContext {
  const warnings: string[] = [];
  return {
    ...testContext({
      fetch: () => Promise.reject(new Error('this provider never fetches')),
      runner: options.runner ?? nodeProcessRunner,
      homeDir: '/nonexistent',
      platform: process.platform,
      logger: {
        info: () => undefined,
        warn: (message) => warnings.push(message),
        error: () => undefined,
      },
      timeoutMs: options.timeoutMs ?? 5000,
    }),
    warnings,
    ...(options.trusted === undefined ? {} : { workspaceTrusted: options.trusted }),
  };
}

describe('customCommandProvider', () => {
  const tmp = useTempDir('custom-command-', 'suite');
  let issuer: OidcIssuer;
  let dir: string;
  let token: string;

  before(async () => {
    issuer = await OidcIssuer.start();
    token = await issuer.sign({ sub: 'build-bot', aud: AUDIENCE });
    dir = tmp.path;
    await writeFile(join(dir, 'tool.js'), TOOL);
    await writeFile(join(dir, 'token.txt'), token);
  });
  after(() => issuer.stop());

  const account = (settings: Record<string, unknown>): Account => ({
    id: 'c1',
    kind: 'custom-command',
    settings,
  });
  const tool = (mode: string, ...args: string[]) => [
    process.execPath,
    join(dir, 'tool.js'),
    mode,
    ...args,
  ];
  const argv = async (): Promise<string[]> =>
    JSON.parse(await readFile(join(dir, 'argv.json'), 'utf8')) as string[];

  /** Errors must never carry the token. */
  const rejectsWith = rejectsWithout(() => [token]);

  it('runs the command without a shell and reads a raw, quoted token that verifies', async () => {
    const minted = await customCommandProvider.mint(
      account({ command: tool('raw', '--aud={audience}', '{audience}', '$(whoami) | cat') }),
      { audience: AUDIENCE },
      context(),
    );
    assert.equal(minted.token, token);
    assert.deepEqual(await argv(), [`--aud=${AUDIENCE}`, AUDIENCE, '$(whoami) | cat']);
    const inspection = inspectToken(minted.token);
    assert.equal(minted.expiresAt, (inspection.times.exp ?? 0) * 1000);
    const outcome = await verifyThroughIssuer(inspection, issuer.url, issuer.jwksUrl);
    assert.equal(outcome.status, 'verified');
  });

  it('finds the token in output coloured with ANSI escapes (FORCE_COLOR through a pipe)', async () => {
    for (const mode of ['coloured', 'hyperlinked']) {
      const minted = await customCommandProvider.mint(
        account({ command: tool(mode) }),
        { audience: AUDIENCE },
        context(),
      );
      assert.equal(minted.token, token, mode);
    }
  });

  it('finds the token in text around it', async () => {
    const minted = await customCommandProvider.mint(
      account({ command: tool('text') }),
      { audience: AUDIENCE },
      context(),
    );
    assert.equal(minted.token, token);
  });

  it('reads JSON at jsonField, with list indices, or by searching', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ output: 'json', jsonField: 'data.id_token' }, 'json'],
      [{ output: 'json', jsonField: 'tokens[1].value' }, 'json-list'],
      [{ output: 'json' }, 'json'],
      [{ output: 'json' }, 'json-list'],
    ];
    for (const [settings, mode] of cases) {
      const minted = await customCommandProvider.mint(
        account({ ...settings, command: tool(mode) }),
        { audience: AUDIENCE },
        context(),
      );
      assert.equal(minted.token, token, JSON.stringify(settings));
    }
  });

  it("warns when the token's aud is not the requested audience", async () => {
    const ctx = context();
    await customCommandProvider.mint(
      account({ command: tool('raw') }),
      { audience: 'https://other.example' },
      ctx,
    );
    assert.equal(ctx.warnings.length, 1);
    assert.match(ctx.warnings[0] ?? '', /not the requested https:\/\/other\.example.*\{audience\}/);
    assert.ok(!ctx.warnings[0]?.includes(token));
  });

  describe('explains each failure', () => {
    it('an untrusted workspace, without running anything', async () => {
      let ran = false;
      const runner: ProcessRunner = {
        run: () => {
          ran = true;
          return Promise.reject(new Error('must not run'));
        },
      };
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('raw') }),
          { audience: AUDIENCE },
          context({ trusted: false, runner }),
        ),
        'permission-denied',
        /disabled in an untrusted workspace; trust the workspace/,
      );
      assert.equal(ran, false);
    });

    it('a missing executable', async () => {
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: [join(dir, 'no-such-tool'), '{audience}'] }),
          { audience: AUDIENCE },
          context(),
        ),
        'cli-not-found',
        /no-such-tool was not found/,
        /No shell is used/,
      );
    });

    it('a non-zero exit, quoting the first lines of stderr without a token', async () => {
      const error = await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('fail', '--secret=hunter2') }),
          { audience: AUDIENCE },
          context(),
        ),
        'cli-failed',
        /failed \(exit code 3\):\nerror: audience not allowed\nhint: check the config\nleaked \[token removed\]\n/,
      );
      assert.ok(!error.message.includes('hunter2'), 'arguments must not be shown');
    });

    it('a command that outlives its timeout, from timeoutSeconds or the context', async () => {
      const started = Date.now();
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('hang'), timeoutSeconds: 0.3 }),
          { audience: AUDIENCE },
          context(),
        ),
        'timeout',
        /did not finish within 0\.3 s/,
        /timeoutSeconds/,
      );
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('hang') }),
          { audience: AUDIENCE },
          context({ timeoutMs: 250 }),
        ),
        'timeout',
        /within 0\.25 s/,
      );
      assert.ok(Date.now() - started < 4000);
    });

    it('a cancelled run', async () => {
      const controller = new AbortController();
      const pending = customCommandProvider.mint(
        account({ command: tool('hang') }),
        { audience: AUDIENCE, signal: controller.signal },
        context(),
      );
      setTimeout(() => controller.abort(), 100);
      await rejectsWith(pending, 'cancelled');
    });

    it('output without a token', async () => {
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('silent') }),
          { audience: '' },
          context(),
        ),
        'no-token',
        /printed nothing on standard output/,
      );
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('garbage') }),
          { audience: '' },
          context(),
        ),
        'not-a-jwt',
        /holds no JWT \(15 characters/,
      );
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('json-empty') }),
          { audience: '' },
          context(),
        ),
        'json-without-token',
        /Set "jsonField"/,
      );
    });

    it('JSON that is not JSON, without quoting the output', async () => {
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('text'), output: 'json' }),
          { audience: '' },
          context(),
        ),
        'bad-response',
        /did not print JSON \(\d+ characters/,
        /Set the output to "raw"/,
      );
    });

    it('a jsonField that is missing, not text, or not a JWT, naming the path', async () => {
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('json'), output: 'json', jsonField: 'data.token' }),
          { audience: '' },
          context(),
        ),
        'json-without-token',
        /without the field "data\.token" \(it stops at "data"\); the fields there are: id_token, expires_in/,
      );
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('json'), output: 'json', jsonField: 'result.id_token' }),
          { audience: '' },
          context(),
        ),
        'json-without-token',
        /without the field "result\.id_token"; the fields there are: data/,
      );
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('json'), output: 'json', jsonField: 'data.expires_in' }),
          { audience: '' },
          context(),
        ),
        'json-without-token',
        /field "data\.expires_in" is a number, not a token/,
      );
      await rejectsWith(
        customCommandProvider.mint(
          account({ command: tool('json-list'), output: 'json', jsonField: 'tokens[0].value' }),
          { audience: '' },
          context(),
        ),
        'not-a-jwt',
        /field "tokens\[0\]\.value" is not a JWT \(1 characters\)/,
      );
    });

    it('a token without exp', async () => {
      const noExp = await issuer.sign({ sub: 'x', exp: undefined });
      const [header = '', payload = '', signature = ''] = noExp.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
        exp?: number;
      };
      delete claims.exp;
      const stripped = [
        header,
        Buffer.from(JSON.stringify(claims)).toString('base64url'),
        signature,
      ];
      await rejectsWith(
        customCommandProvider.mint(
          account({
            command: [process.execPath, '-e', `process.stdout.write('${stripped.join('.')}')`],
          }),
          { audience: '' },
          context(),
        ),
        'bad-response',
        /without a readable exp claim/,
      );
    });

    it('settings that do not describe a command', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{}, /"command" must be a list of strings/],
        [{ command: 'my-tool --audience {audience}' }, /"command" must be a list/],
        [{ command: [] }, /"command" must be a list/],
        [{ command: ['  ', 'x'] }, /must name the executable/],
        [{ command: ['t'], output: 'yaml' }, /"output" must be "raw" or "json"/],
        [{ command: ['t'], output: 'json', jsonField: 'a..b' }, /dotted path/],
        [{ command: ['t'], jsonField: 'token' }, /only when "output" is "json"/],
        [{ command: ['t'], timeoutSeconds: 0 }, /"timeoutSeconds" must be/],
        [{ command: ['t'], timeoutSeconds: '5' }, /"timeoutSeconds" must be/],
      ];
      for (const [settings, message] of cases) {
        assert.match(customCommandProvider.validate(account(settings)).join(' '), message);
        await rejectsWith(
          customCommandProvider.mint(account(settings), { audience: '' }, context()),
          'bad-config',
          message,
        );
      }
      assert.deepEqual(
        customCommandProvider.validate(
          account({ command: ['t', '{audience}'], output: 'json', jsonField: 'a.b[0].c' }),
        ),
        [],
      );
    });
  });

  it('describes the account by its executable only', () => {
    assert.equal(
      customCommandProvider.describe(account({ command: ['vault', 'write', 'secret=s3cr3t'] })),
      'Command: vault',
    );
    assert.equal(customCommandProvider.describe(account({})), 'Command: not set');
  });
});
