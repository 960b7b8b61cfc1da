import * as assert from 'node:assert/strict';
import type { ErrorCode } from '../../../../../src/core/errors';
import type { ProviderContext } from '../../../../../src/core/providers/provider';
import { listServiceAccounts } from '../../../../../src/core/providers/google/serviceAccounts';
import { GoogleApis } from '../../../../emulators/google/googleApis';
import type { GoogleFault } from '../../../../emulators/google/googleApis';
import { rejectsWith } from '../../../helpers/assertions';
import { useTempDir, userAdcContext } from '../../../helpers/fixtures';

describe('listServiceAccounts', () => {
  let apis: GoogleApis;
  const tmp = useTempDir('list-');
  let context: ProviderContext;

  before(async () => {
    apis = await GoogleApis.start();
    for (let i = 0; i < 105; i++) {
      await apis.addServiceAccount({
        email: `sa-${String(i).padStart(3, '0')}@big.iam.gserviceaccount.com`,
        displayName: i === 0 ? 'The first one' : '',
        disabled: i === 1,
        withKey: false,
      });
    }
    await apis.addServiceAccount({ email: 'solo@small.iam.gserviceaccount.com' });
  });
  after(() => apis.stop());
  beforeEach(async () => {
    apis.clearFaults();
    const user = apis.addUser({ email: 'viewer@example.com' });
    context = await userAdcContext(tmp.path, user, 400);
    apis.requests.length = 0;
  });

  it('follows nextPageToken', async () => {
    const accounts = await listServiceAccounts(context, 'big', { iamEndpoint: apis.url });
    assert.equal(accounts.length, 105);
    assert.deepEqual(accounts[0], {
      email: 'sa-000@big.iam.gserviceaccount.com',
      displayName: 'The first one',
      uniqueId: accounts[0]?.uniqueId,
    });
    assert.equal(accounts[1]?.disabled, true);
    assert.deepEqual(
      apis.requests.map((r) => r.route),
      ['token', 'list', 'list'],
    );
  });

  it('lists a one-page project', async () => {
    const accounts = await listServiceAccounts(context, 'small', { iamEndpoint: apis.url });
    assert.deepEqual(
      accounts.map((a) => a.email),
      ['solo@small.iam.gserviceaccount.com'],
    );
  });

  it('an unknown project is explained', async () => {
    await rejectsWith(
      listServiceAccounts(context, 'nope', { iamEndpoint: apis.url }),
      'bad-config',
      /project nope was not found/,
    );
  });

  it('takes the IAM endpoint of tokenExplorer.google.endpoints when given none', async () => {
    const withSetting = { ...context, googleEndpoints: { iam: `${apis.url}/` } };
    const accounts = await listServiceAccounts(withSetting, 'small');
    assert.equal(accounts.length, 1);
    assert.deepEqual(
      apis.requests.map((r) => r.route),
      ['token', 'list'],
    );
  });

  it('names the first page without an empty pageToken, in words that read as one sentence', async () => {
    const down = { ...context, googleEndpoints: { iam: 'http://127.0.0.1:9' } };
    const error = await rejectsWith(
      listServiceAccounts(down, 'small'),
      'network',
      /^Could not reach http:\/\/127\.0\.0\.1:9\/v1\/projects\/small\/serviceAccounts\?pageSize=100: /,
    );
    assert.doesNotMatch(error.message, /pageToken|\.\)\.|\.\.$/);
  });

  it('rejects a malformed project id before any request', async () => {
    await rejectsWith(listServiceAccounts(context, 'a/b', { iamEndpoint: apis.url }), 'bad-config');
    assert.equal(apis.requests.length, 0);
  });

  it('401 says to log in again', async () => {
    await listServiceAccounts(context, 'small', { iamEndpoint: apis.url });
    apis.revokeAccessTokens();
    await rejectsWith(
      listServiceAccounts(context, 'small', { iamEndpoint: apis.url }),
      'bad-credentials',
      /gcloud auth application-default login/,
    );
  });

  const faults: [GoogleFault, ErrorCode, RegExp][] = [
    [
      '403',
      'permission-denied',
      /viewer@example\.com may not list .*roles\/iam\.serviceAccountViewer/,
    ],
    ['http-500', 'http-status', /HTTP 500/],
    ['hang', 'timeout', /0\.4 s/],
    ['malformed-json', 'bad-response', /JSON/],
    ['wrong-content-type', 'bad-response', /text\/html/],
  ];
  for (const [fault, code, pattern] of faults) {
    it(`list fault ${fault} → ${code}`, async () => {
      apis.setFault('list', fault);
      await rejectsWith(
        listServiceAccounts(context, 'small', { iamEndpoint: apis.url }),
        code,
        pattern,
      );
    });
  }
});
