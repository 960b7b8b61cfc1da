// The demo profile of `npm start` (test/emulators/demo.ts), driven through the extension's own
// providers and Call Service core with the environment and machine settings code-server gets: no
// request leaves 127.0.0.1, and the emulated Cloud Run service lets in a demo token and answers a
// wrong audience with the 401 that Call Service explains.
import * as assert from 'node:assert/strict';
import { diagnose } from '../../../src/core/call/diagnose';
import { DEFAULT_MAX_BODY_BYTES, sendCall } from '../../../src/core/call/send';
import type { GoogleEndpoints } from '../../../src/core/providers/google/endpoints';
import { listServiceAccounts } from '../../../src/core/providers/google/serviceAccounts';
import type { Account, ProviderContext } from '../../../src/core/providers/provider';
import { createProviders } from '../../../src/core/providers/registry';
import { systemClock } from '../../../src/core/ports';
import { type Demo, startDemo } from '../../emulators/demo';
import { testContext } from '../../helpers/context';
import { useTempDir } from '../helpers/fixtures';

describe('npm start demo profile (emulators)', () => {
  const tmp = useTempDir('demo-');
  let demo: Demo;
  let context: ProviderContext;
  let accounts: Account[];
  const reached: string[] = [];

  beforeEach(async () => {
    demo = await startDemo(tmp.path);
    reached.length = 0;
    context = {
      ...testContext({
        env: demo.env,
        fetch: (input, init) => {
          reached.push(new URL(input).host);
          return fetch(input, init);
        },
      }),
      googleEndpoints: demo.machineSettings['tokenExplorer.google.endpoints'] as GoogleEndpoints,
    };
    accounts = demo.machineSettings['tokenExplorer.accounts'] as Account[];
  });
  afterEach(() => demo.stop());

  function onlyLoopback(): void {
    assert.ok(reached.length > 0);
    for (const host of reached) assert.match(host, /^127\.0\.0\.1:\d+$/);
  }

  it('names no Google host in its settings', () => {
    const text = JSON.stringify({ ...demo.machineSettings, ...demo.settings, ...demo.env });
    assert.doesNotMatch(text, /googleapis\.com/);
    assert.doesNotMatch(JSON.stringify(accounts), /https:\/\//);
  });

  it("lists demo-project's service accounts from the IAM emulator, as the wizard does", async () => {
    const listed = await listServiceAccounts(context, 'demo-project');
    assert.ok(listed.some((sa) => sa.email === 'invoker@demo-project.iam.gserviceaccount.com'));
    onlyLoopback();
  });

  for (const id of ['demo-metadata', 'demo-impersonation']) {
    it(`${id}: its token gets 200 from the demo service; a wrong audience gets the explained 401`, async () => {
      const account = accounts.find((a) => a.id === id);
      assert.ok(account);
      assert.equal(account.defaultAudience, demo.serviceUrl);
      const provider = createProviders(() => undefined).get(account.kind);
      assert.ok(provider);
      const call = async (audience: string) => {
        const { token } = await provider.mint(account, { audience }, context);
        const request = {
          method: 'GET',
          url: `${demo.serviceUrl}/hello`,
          headerForm: 'authorization',
          headers: {},
        } as const;
        const response = await sendCall(context.fetch, request, token, {
          timeoutMs: 10_000,
          maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
          clock: systemClock,
        });
        const { findings } = diagnose({
          token,
          url: request.url,
          headerForm: 'authorization',
          nowSeconds: Math.floor(Date.now() / 1000),
          clockSkewSeconds: 60,
          response,
        });
        return { status: response.status, findings };
      };
      const good = await call(demo.serviceUrl);
      assert.equal(good.status, 200);
      assert.deepEqual(
        good.findings.filter((f) => f.severity === 'error'),
        [],
      );
      const wrong = await call('https://hello-demo.a.run.app');
      assert.equal(wrong.status, 401);
      const audience = wrong.findings.find((f) => f.rule === 'audience');
      assert.equal(audience?.severity, 'error');
      assert.match(audience.evidence, /hello-demo\.a\.run\.app/);
      onlyLoopback();
    });
  }
});
