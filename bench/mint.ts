// Cold mints per provider against the emulators, each next to the same mint by Google's own
// google-auth-library where it has one: same emulator, same process, runs alternating.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Compute, GoogleAuth, JWT, UserRefreshClient, gaxios } from 'google-auth-library';
import type { AuthClient } from 'google-auth-library';
import { SignJWT, importPKCS8 } from 'jose';
import { TokenCache } from '../src/core/cache/tokenCache';
import { systemClock } from '../src/core/ports';
import type { Account, ProviderContext } from '../src/core/providers/provider';
import { secretKey } from '../src/core/providers/provider';
import {
  SERVICE_ACCOUNT_KEY_SECRET,
  importServiceAccountKey,
} from '../src/core/providers/google/serviceAccountKey';
import { TokenService } from '../src/core/tokenService';
import { makeFakeGcloud } from '../test/emulators/gcloud/fakeGcloud';
import type { FakeGcloud } from '../test/emulators/gcloud/fakeGcloud';
import { GoogleApis } from '../test/emulators/google/googleApis';
import { MemorySecrets } from '../test/helpers/context';
import type { EmulatedUser } from '../test/emulators/google/googleApis';
import { MetadataServer } from '../test/emulators/google/metadataServer';
import {
  GOOGLE_CLIENT_VARIABLES,
  clearVariables,
  libraryImpersonatedIdToken,
} from '../test/fixtures/officialClients';
import { benchAdcFiles } from './adcMints';
import { benchContext, googleProviders } from './context';
import { median, percentile, row, timeAsync } from './report';

export const AUDIENCE = 'https://bench-abc123-ew.a.run.app';
export const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const USER = 'dev@example.com';
export const TARGET = 'invoker@bench-proj.iam.gserviceaccount.com';
const KEY_ACCOUNT = 'deployer@bench-proj.iam.gserviceaccount.com';
const WARM_UPS = 5;
const RUNS = 100;
const GCLOUD_RUNS = 20;
/** Variables google-auth-library reads; set for its runs and restored afterwards. */
const LIBRARY_VARIABLES = [
  'PATH',
  'GOOGLE_CLOUD_PROJECT',
  'GCLOUD_PROJECT',
  ...GOOGLE_CLIENT_VARIABLES,
];

type Mint = () => Promise<string>;

interface Sample {
  readonly ms: number[];
  /** Upstream requests, summed over the measured runs. */
  requests: number;
}

/** Everything the mints run against, started once. */
export interface World {
  readonly metadata: MetadataServer;
  readonly apis: GoogleApis;
  readonly gcloud: FakeGcloud;
  readonly dir: string;
  readonly adcPath: string;
  readonly keyFile: string;
  readonly user: EmulatedUser;
}

/** google-auth-library's ID token for {@link TARGET} through `sourceClient` (`Impersonated`). */
export const libraryIdToken = async (world: World, sourceClient: AuthClient): Promise<string> =>
  requireJwt(
    await libraryImpersonatedIdToken(sourceClient, {
      target: TARGET,
      endpoint: world.apis.url,
      audience: AUDIENCE,
    }),
    'Impersonated',
  );

export function requireJwt(token: string | null | undefined, who: string): string {
  if (!token || token.split('.').length !== 3) throw new Error(`${who} returned no JWT`);
  return token;
}

/** Our cold mint: a fresh TokenService and cache, as after a restart or for a new audience. */
export function ours(account: Account, context: () => ProviderContext, audience = AUDIENCE): Mint {
  return async () => {
    const service = new TokenService(googleProviders, new TokenCache(systemClock), context);
    const issued = await service.get(account, audience);
    return requireJwt(issued.token.token, account.kind);
  };
}

/** Runs `fn` once, adding its time and the upstream requests it caused to `sample`. */
async function run(fn: Mint, sample: Sample, upstream: () => number): Promise<void> {
  const before = upstream();
  sample.ms.push(await timeAsync(fn));
  sample.requests += upstream() - before;
}

/**
 * Times `contenders` after warm-ups, one run of each per round, reversing the order every other
 * round so none always meets a freshly idle (or busy) emulator.
 */
async function duel(contenders: readonly Mint[], runs: number, upstream: () => number) {
  for (let i = 0; i < WARM_UPS; i++) for (const fn of contenders) await fn();
  const samples: Sample[] = contenders.map(() => ({ ms: [], requests: 0 }));
  for (let i = 0; i < runs; i++) {
    const order = contenders.map((_, index) => index);
    if (i % 2 === 1) order.reverse();
    for (const index of order) {
      const fn = contenders[index];
      const sample = samples[index];
      if (fn && sample) await run(fn, sample, upstream);
    }
  }
  return samples;
}

function timing(name: string, sample: Sample, runs: number): void {
  const perMint = sample.requests / runs;
  const requests = `${Number.isInteger(perMint) ? perMint : perMint.toFixed(2)} req`;
  const ms = `${median(sample.ms).toFixed(2)} / ${percentile(sample.ms, 0.9).toFixed(2)} ms`;
  row(`  ${name}, ${requests}`, ms);
}

const p90 = (ms: readonly number[]) => percentile(ms, 0.9);

/** One mint done three ways: by us, by google-auth-library, and as bare requests. */
interface Contest {
  readonly ours: Mint;
  readonly theirs: Mint;
  /** The same upstream requests with bare fetch and nothing else: what neither client can beat. */
  readonly floor: Mint;
}

/** Prints ours, google-auth-library and the floor for one kind of mint, and the ratios. */
export async function compare(name: string, world: World, contest: Contest): Promise<void> {
  const upstream = () => world.metadata.requestCount + world.apis.requests.length;
  const contenders = [contest.ours, contest.theirs, contest.floor];
  const [mine, theirs, floor] = await duel(contenders, RUNS, upstream);
  if (!mine || !theirs || !floor) return;
  console.log(name);
  timing('ours', mine, RUNS);
  timing('google-auth-library', theirs, RUNS);
  timing('bare fetch of the same requests (floor)', floor, RUNS);
  const ratio = (pick: (ms: readonly number[]) => number) => pick(theirs.ms) / pick(mine.ms);
  row(
    '  ours faster by, median / p90',
    `${ratio(median).toFixed(1)}× / ${ratio(p90).toFixed(1)}×`,
    '≥ 2×, never < 1×',
  );
  const above = (sample: Sample) => Math.max(0, median(sample.ms) - median(floor.ms));
  const share = above(theirs) > 0 ? above(mine) / above(theirs) : Number.NaN;
  row(
    '  time above the floor, ours / theirs (median)',
    `${above(mine).toFixed(2)} / ${above(theirs).toFixed(2)} ms = ${share.toFixed(2)}`,
    '≤ 0.33',
  );
}

/** A bare POST and its JSON answer. */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<Record<string, string | undefined>> {
  const response = await fetch(url, { method: 'POST', body, headers });
  return (await response.json()) as Record<string, string | undefined>;
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The bare refresh_token grant of the ADC user. */
export function refreshGrant(world: World): Promise<Record<string, string | undefined>> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: world.user.refreshToken,
    client_id: world.user.clientId,
    client_secret: world.user.clientSecret,
  });
  return post(world.apis.tokenUrl, form.toString(), FORM);
}

/** The bare generateIdToken call with a caller's access token. */
export async function generateIdToken(
  world: World,
  accessToken: string | undefined,
): Promise<string> {
  const answer = await post(
    `${world.apis.url}/v1/projects/-/serviceAccounts/${TARGET}:generateIdToken`,
    JSON.stringify({ audience: AUDIENCE, includeEmail: true, delegates: [] }),
    { 'content-type': 'application/json', authorization: `Bearer ${accessToken ?? ''}` },
  );
  return requireJwt(answer.token, 'bare generateIdToken');
}

/** The ADC file's refresh-token client, built from the file as GoogleAuth would read it. */
export async function userClient(world: World): Promise<UserRefreshClient> {
  const adc = JSON.parse(await readFile(world.adcPath, 'utf8')) as Record<string, string>;
  return new UserRefreshClient({
    clientId: adc.client_id,
    clientSecret: adc.client_secret,
    refreshToken: adc.refresh_token,
    // google-auth-library ignores the file's token_uri; this option points it at the emulator.
    endpoints: { oauth2TokenUrl: world.apis.tokenUrl },
  });
}

/** Starts the emulators and writes the credential files; `cleanups` undoes each step. */
async function startWorld(cleanups: (() => Promise<unknown>)[]): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'token-explorer-bench-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const metadata = await MetadataServer.start();
  cleanups.push(() => metadata.stop());
  const apis = await GoogleApis.start();
  cleanups.push(() => apis.stop());
  const gcloud = await makeFakeGcloud({
    activeAccount: USER,
    accounts: [{ email: USER, type: 'user', uniqueId: '100000000000000000001' }],
    project: 'bench-proj',
    serviceAccounts: [{ email: TARGET, uniqueId: '200000000000000000001', impersonators: [USER] }],
  });
  cleanups.push(() => gcloud.cleanup());
  const user = apis.addUser({ email: USER });
  await apis.addServiceAccount({ email: TARGET, withKey: false });
  apis.allow(USER, TARGET);
  const { keyFile } = await apis.addServiceAccount({ email: KEY_ACCOUNT });
  // Not gcloud's file name: the folder doubles as google-auth-library's empty CLOUDSDK_CONFIG.
  const adcPath = join(dir, 'adc.json');
  await writeFile(adcPath, user.adcJson);
  return { metadata, apis, gcloud, dir, adcPath, keyFile, user };
}

/** Points google-auth-library at the emulators through the variables it reads. */
function libraryEnvironment(world: World): () => void {
  const path = process.env.PATH;
  const restore = clearVariables(LIBRARY_VARIABLES);
  process.env.GCE_METADATA_HOST = world.metadata.host;
  // An empty gcloud config folder: GoogleAuth must find no ADC file before the metadata server.
  process.env.CLOUDSDK_CONFIG = world.dir;
  // GoogleAuth runs `gcloud config config-helper` to find a project id: let it find the fake.
  process.env.PATH = `${dirname(world.gcloud.path)}${delimiter}${path ?? ''}`;
  return restore;
}

async function benchMetadata(world: World): Promise<void> {
  const context = benchContext({ GCE_METADATA_HOST: world.metadata.host });
  const account: Account = { id: 'metadata', kind: 'google-metadata', settings: {} };
  const identity = `${world.metadata.url}/computeMetadata/v1/instance/service-accounts/default/identity?${new URLSearchParams({ audience: AUDIENCE, format: 'full' })}`;
  const floor = async () => {
    const response = await fetch(identity, { headers: { 'Metadata-Flavor': 'Google' } });
    return requireJwt(await response.text(), 'bare metadata GET');
  };
  const mine = ours(account, () => context);
  await compare('google-metadata, vs Compute.fetchIdToken', world, {
    ours: mine,
    theirs: async () => requireJwt(await new Compute().fetchIdToken(AUDIENCE), 'Compute'),
    floor,
  });
  const viaGoogleAuth = async () => {
    const client = await new GoogleAuth().getIdTokenClient(AUDIENCE);
    const headers = await client.getRequestHeaders();
    return requireJwt(headers.get('authorization')?.slice('Bearer '.length), 'GoogleAuth');
  };
  // With a project id in the environment GoogleAuth looks no further for one.
  process.env.GOOGLE_CLOUD_PROJECT = world.metadata.options.projectId;
  await compare('google-metadata, vs new GoogleAuth() (GOOGLE_CLOUD_PROJECT set)', world, {
    ours: mine,
    theirs: viaGoogleAuth,
    floor,
  });
  delete process.env.GOOGLE_CLOUD_PROJECT;
  // Without one, each new GoogleAuth runs `gcloud config config-helper` and asks the server.
  const [discovering] = await duel([viaGoogleAuth], GCLOUD_RUNS, () => world.metadata.requestCount);
  if (!discovering) return;
  console.log('google-metadata, new GoogleAuth() without a project id: spawns gcloud (the fake)');
  timing('google-auth-library', discovering, GCLOUD_RUNS);
}

async function benchImpersonation(world: World): Promise<void> {
  const env = { GOOGLE_APPLICATION_CREDENTIALS: world.adcPath, GCE_METADATA_HOST: '127.0.0.1:9' };
  const account: Account = {
    id: 'impersonation',
    kind: 'google-impersonation',
    settings: { targetServiceAccount: TARGET, iamCredentialsEndpoint: world.apis.url },
  };
  const impersonate = (sourceClient: UserRefreshClient) => libraryIdToken(world, sourceClient);
  // A new context is a new access-token cache (it is kept per context while the ADC file holds).
  await compare('google-impersonation, first mint: refresh grant + generateIdToken', world, {
    ours: ours(account, () => benchContext(env)),
    theirs: async () => impersonate(await userClient(world)),
    floor: async () => generateIdToken(world, (await refreshGrant(world)).access_token),
  });
  const shared = benchContext(env);
  const sharedSource = await userClient(world);
  const bearer = world.apis.issueAccessToken(USER);
  await compare('google-impersonation, access token cached: generateIdToken', world, {
    ours: ours(account, () => shared),
    theirs: () => impersonate(sharedSource),
    floor: () => generateIdToken(world, bearer),
  });
}

async function benchServiceAccountKey(world: World): Promise<void> {
  const { settings, secret } = await importServiceAccountKey(world.keyFile, 'bench key');
  const secrets = new MemorySecrets();
  await secrets.store(secretKey('key', SERVICE_ACCOUNT_KEY_SECRET), secret);
  const context = benchContext({}, { secrets });
  const account: Account = { id: 'key', kind: 'google-service-account-key', settings };
  const key = JSON.parse(world.keyFile) as { private_key: string; private_key_id: string };
  // google-auth-library posts to the fixed https://oauth2.googleapis.com/token; a transporter
  // interceptor (a documented client option) sends it to the emulator instead.
  const transporter = new gaxios.Gaxios();
  transporter.interceptors.request.add({
    resolved: async (options) => {
      if (options.url.href === 'https://oauth2.googleapis.com/token') {
        options.url = new URL(world.apis.tokenUrl);
      }
      return options;
    },
  });
  // The floor reuses one signed assertion: signing is client work, the floor is the wire.
  const iat = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ target_audience: AUDIENCE })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.private_key_id })
    .setIssuer(KEY_ACCOUNT)
    .setAudience(world.apis.tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(await importPKCS8(key.private_key, 'RS256'));
  const grant = new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString();
  await compare('google-service-account-key: jwt-bearer grant', world, {
    ours: ours(account, () => context),
    theirs: async () =>
      requireJwt(
        await new JWT({
          email: KEY_ACCOUNT,
          key: key.private_key,
          keyId: key.private_key_id,
          transporter,
        }).fetchIdToken(AUDIENCE),
        'JWT',
      ),
    floor: async () =>
      requireJwt((await post(world.apis.tokenUrl, grant, FORM)).id_token, 'bare jwt-bearer'),
  });
}

async function benchUser(world: World): Promise<void> {
  const context = benchContext({ GOOGLE_APPLICATION_CREDENTIALS: world.adcPath });
  const account: Account = { id: 'user', kind: 'google-user', settings: {} };
  await compare('google-user: refresh grant', world, {
    ours: ours(account, () => context, ''),
    theirs: async () =>
      requireJwt(
        await (await userClient(world)).fetchIdToken(world.user.clientId),
        'UserRefreshClient',
      ),
    floor: async () => requireJwt((await refreshGrant(world)).id_token, 'bare refresh grant'),
  });
}

async function benchGcloud(world: World): Promise<void> {
  const context = benchContext({}, { gcloudPath: world.gcloud.path });
  const account: Account = {
    id: 'gcloud',
    kind: 'google-gcloud',
    settings: { gcloudPath: world.gcloud.path, impersonateServiceAccount: TARGET },
  };
  const [sample] = await duel([ours(account, () => context)], GCLOUD_RUNS, () => 0);
  if (!sample) return;
  console.log('google-gcloud (fake CLI: one process spawn, mostly Node start-up of the fake)');
  timing('ours', sample, GCLOUD_RUNS);
}

/**
 * Prints cold-mint timings (median / p90 in ms, with upstream requests per mint) for every
 * provider, next to google-auth-library where it can do the same. Starts and always stops the
 * emulators.
 */
export async function benchMints(): Promise<void> {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const world = await startWorld(cleanups);
    console.log(
      `\nCold mints, median / p90 of ${RUNS} after ${WARM_UPS} warm-ups, with upstream requests per mint.`,
    );
    console.log(
      'A fresh cache and client for each; ours, google-auth-library and the floor take turns.',
    );
    const restore = libraryEnvironment(world);
    try {
      await benchMetadata(world);
      await benchImpersonation(world);
      await benchServiceAccountKey(world);
      await benchUser(world);
      await benchAdcFiles(world);
    } finally {
      restore();
    }
    await benchGcloud(world);
  } catch (error) {
    // The bench's own failure is the one worth seeing; the servers still stop.
    await cleanUp(cleanups).catch(() => undefined);
    throw error;
  }
  await cleanUp(cleanups);
}

/** Runs every cleanup, even when one fails; rejects with the first failure. */
async function cleanUp(cleanups: (() => Promise<unknown>)[]): Promise<void> {
  const results = await Promise.allSettled(cleanups.map((fn) => fn()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
