// Cold mints through ADC files that impersonate or federate, ours next to google-auth-library's
// `Impersonated` over the matching source client (how its docs mint an ID token for them).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ExternalAccountAuthorizedUserClient,
  ExternalAccountClient,
  IdentityPoolClient,
} from 'google-auth-library';
import { nodeFileReader } from '../src/core/node/fileReader';
import type { Account } from '../src/core/providers/provider';
import { signedCallerIdentityRequest } from '../src/core/providers/google/awsSource';
import type { ExternalAccountCredentials } from '../src/core/providers/google/credentials';
import { parseCredentials } from '../src/core/providers/google/credentialFiles';
import { ImdsServer } from '../test/emulators/aws/imdsServer';
import {
  AWS_VARIABLES,
  awsExternalAccount,
  clearVariables,
} from '../test/fixtures/officialClients';
import { benchContext } from './context';
import type { World } from './mint';
import {
  CLOUD_PLATFORM,
  FORM,
  TARGET,
  compare,
  generateIdToken,
  libraryIdToken,
  ours,
  post,
  refreshGrant,
  userClient,
} from './mint';

const POOL =
  '//iam.googleapis.com/projects/9/locations/global/workloadIdentityPools/bench/providers/ci';
const SUBJECT = 'bench-subject-token';
const PRINCIPAL = 'principal://bench/ci';

function impersonationAccount(world: World, file: string): Account {
  return {
    id: `adc-${file}`,
    kind: 'google-impersonation',
    settings: {
      targetServiceAccount: TARGET,
      iamCredentialsEndpoint: world.apis.url,
      credentialsFile: file,
    },
  };
}

/** impersonated_service_account whose target is the account asked for: the source user calls. */
async function benchImpersonatedFile(world: World): Promise<void> {
  const path = join(world.dir, 'impersonated.json');
  await writeFile(
    path,
    JSON.stringify({
      type: 'impersonated_service_account',
      service_account_impersonation_url: world.apis.impersonationUrl(TARGET),
      source_credentials: JSON.parse(world.user.adcJson),
      delegates: [],
    }),
  );
  const account = impersonationAccount(world, path);
  await compare('impersonated_service_account ADC, first mint: refresh + generateIdToken', world, {
    ours: ours(account, () => benchContext({})),
    theirs: async () => libraryIdToken(world, await userClient(world)),
    floor: async () => generateIdToken(world, (await refreshGrant(world)).access_token),
  });
  const shared = benchContext({});
  const sharedClient = await userClient(world);
  const bearer = world.apis.issueAccessToken(world.user.email);
  await compare('impersonated_service_account ADC, access token cached: generateIdToken', world, {
    ours: ours(account, () => shared),
    theirs: () => libraryIdToken(world, sharedClient),
    floor: () => generateIdToken(world, bearer),
  });
}

/** external_account (file source): STS, then generateIdToken with the federated token. */
async function benchExternalFile(world: World): Promise<void> {
  const subjectFile = join(world.dir, 'subject.txt');
  await writeFile(subjectFile, SUBJECT);
  world.apis.trustSubjectToken(SUBJECT, { audience: POOL, principal: PRINCIPAL });
  world.apis.allow(PRINCIPAL, TARGET);
  const federated = {
    type: 'external_account',
    audience: POOL,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: world.apis.stsUrl,
    credential_source: { file: subjectFile },
  };
  const path = join(world.dir, 'external.json');
  await writeFile(
    path,
    JSON.stringify({
      ...federated,
      service_account_impersonation_url: world.apis.impersonationUrl(TARGET),
    }),
  );
  const sts = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    audience: POOL,
    scope: CLOUD_PLATFORM,
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    subject_token: SUBJECT,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  }).toString();
  await compare('external_account (file), first mint: STS + generateIdToken', world, {
    ours: ours(impersonationAccount(world, path), () => benchContext({})),
    theirs: () => libraryIdToken(world, new IdentityPoolClient(federated as never)),
    floor: async () =>
      generateIdToken(world, (await post(world.apis.stsUrl, sts, FORM)).access_token),
  });
}

/** external_account_authorized_user: workforce refresh, then generateIdToken. */
async function benchWorkforceUser(world: World): Promise<void> {
  const worker = world.apis.addWorkforceUser({ pool: 'bench', subject: 'ada' });
  world.apis.allow(worker.principal, TARGET);
  const path = join(world.dir, 'workforce.json');
  await writeFile(path, worker.adcJson);
  const basic = Buffer.from(`${worker.clientId}:${worker.clientSecret}`).toString('base64');
  const refresh = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: worker.refreshToken,
  }).toString();
  await compare('external_account_authorized_user, first mint: refresh + generateIdToken', world, {
    ours: ours(impersonationAccount(world, path), () => benchContext({})),
    theirs: () =>
      libraryIdToken(
        world,
        new ExternalAccountAuthorizedUserClient(JSON.parse(worker.adcJson) as never),
      ),
    floor: async () =>
      generateIdToken(
        world,
        (
          await post(world.apis.stsOauthUrl, refresh, {
            ...FORM,
            authorization: `Basic ${basic}`,
          })
        ).access_token,
      ),
  });
}

/**
 * external_account with an AWS source on an instance that requires IMDSv2: both clients make
 * the same five metadata calls (PUT, zone, PUT, role, credentials; differential.test.ts checks
 * it), sign GetCallerIdentity, then STS and generateIdToken. Each run is cold for both: a new
 * AwsClient, and for ours a new file reader (so the file is read and parsed again and the region
 * asked again, as a new client asks it).
 */
async function benchExternalAws(world: World): Promise<void> {
  const imds = await ImdsServer.start({ requireSessionToken: true });
  // Neither client may take AWS credentials or a region from this machine's environment.
  const restore = clearVariables(AWS_VARIABLES);
  try {
    const role = imds.role!;
    world.apis.trustAwsCredentials(role, { audience: POOL, principal: PRINCIPAL });
    const federated = awsExternalAccount(imds, { audience: POOL, tokenUrl: world.apis.stsUrl });
    const path = join(world.dir, 'aws.json');
    await writeFile(
      path,
      JSON.stringify({
        ...federated,
        service_account_impersonation_url: world.apis.impersonationUrl(TARGET),
      }),
    );
    // The floor sends the same requests with a subject token signed once beforehand.
    const credentials = parseCredentials(JSON.stringify(federated), path);
    const source = (credentials as ExternalAccountCredentials).credentialSource;
    if (source.kind !== 'aws') throw new Error('not an AWS source');
    const subject = signedCallerIdentityRequest(
      credentials as ExternalAccountCredentials,
      source,
      imds.region,
      role,
      Date.now(),
    );
    const sts = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: POOL,
      scope: CLOUD_PLATFORM,
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: subject,
      subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
    }).toString();
    const imdsGet = async (url: string, token: string) =>
      (await fetch(url, { headers: { 'x-aws-ec2-metadata-token': token } })).text();
    const sessionToken = async () =>
      (
        await fetch(imds.sessionTokenUrl, {
          method: 'PUT',
          headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '300' },
        })
      ).text();
    const freshReader = () => ({ readText: nodeFileReader.readText, stat: nodeFileReader.stat });
    await compare(
      'external_account (AWS, IMDSv2), first mint: 5 IMDS + STS + generateIdToken',
      world,
      {
        ours: ours(impersonationAccount(world, path), () => ({
          ...benchContext({}),
          files: freshReader(),
        })),
        theirs: async () => {
          const client = ExternalAccountClient.fromJSON(federated as never);
          if (!client) throw new Error('ExternalAccountClient.fromJSON gave no client');
          return libraryIdToken(world, client);
        },
        floor: async () => {
          await imdsGet(imds.regionUrl, await sessionToken());
          const token = await sessionToken();
          const roleName = await imdsGet(imds.securityCredentialsUrl, token);
          JSON.parse(await imdsGet(`${imds.securityCredentialsUrl}/${roleName}`, token));
          return generateIdToken(world, (await post(world.apis.stsUrl, sts, FORM)).access_token);
        },
      },
    );
  } finally {
    restore();
    await imds.stop();
  }
}

/** Every ADC-file path google-auth-library also implements, side by side. */
export async function benchAdcFiles(world: World): Promise<void> {
  await benchImpersonatedFile(world);
  await benchExternalFile(world);
  await benchExternalAws(world);
  await benchWorkforceUser(world);
}
