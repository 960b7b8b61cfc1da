import { TokenExplorerError } from '../../errors';
import { INSTALL_PAGES } from '../../remedies';
import { isRecord } from '../../guards';
import { peekToken } from '../../jwt/peek';
import { errorLines, excerpt, failureHead, jsonFromStdout, runCli } from '../cli';
import type { Account, MintedToken, Provider, ProviderContext } from '../provider';
import { assertSettingsValid, nonTextSettings, optionalString } from '../settings';
import { recogniseOfficialText } from '../officialTexts';
import { type NativeSettings, webIdentityTokenNatively } from './native';
import {
  MAX_AUDIENCES,
  MAX_AUDIENCE_LENGTH,
  MAX_DURATION,
  MAX_TAGS,
  MAX_TAG_KEY,
  MAX_TAG_VALUE,
  MIN_DURATION,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
  type WebIdentityTokenRequest,
} from './stsQuery';

/** How an account calls STS: the aws CLI, the SDK natively, or the CLI when it is installed. */
export const METHODS = ['auto', 'cli', 'sdk'] as const;
type Method = (typeof METHODS)[number];

/** AWS profile names as ~/.aws/config holds them; never starting with '-'. */
const PROFILE = /^[A-Za-z0-9_][A-Za-z0-9_.+@-]*$/;
/** Region codes: us-east-1, eu-central-2, cn-north-1, us-gov-west-1, ap-southeast-7... */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** The settings of an `aws-sts` account, read leniently (validate reports problems). */
interface StsSettings extends NativeSettings {
  readonly method: Method;
  readonly awsPath: string;
  readonly signingAlgorithm: SigningAlgorithm;
  readonly durationSeconds?: number;
  readonly additionalAudiences: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

function readSettings(account: Account): StsSettings {
  const s = account.settings;
  const profile = optionalString(s.profile);
  const region = optionalString(s.region);
  const endpointUrl = optionalString(s.endpointUrl);
  const method = METHODS.find((m) => m === s.method) ?? 'auto';
  const algorithm = SIGNING_ALGORITHMS.find((a) => a === s.signingAlgorithm) ?? 'RS256';
  const extra = Array.isArray(s.additionalAudiences) ? s.additionalAudiences : [];
  const tags = isRecord(s.tags) ? s.tags : {};
  return {
    method,
    awsPath: optionalString(s.awsPath) ?? 'aws',
    signingAlgorithm: algorithm,
    ...(typeof s.durationSeconds === 'number' ? { durationSeconds: s.durationSeconds } : {}),
    additionalAudiences: extra.filter((a): a is string => typeof a === 'string'),
    tags: Object.fromEntries(
      Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ),
    ...(profile ? { profile } : {}),
    ...(region ? { region } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
  };
}

/** Problems with the request parts of the settings, against the API's documented bounds. */
function requestProblems(account: Account): string[] {
  const s = account.settings;
  const problems: string[] = [];
  if (s.method !== undefined && !METHODS.some((m) => m === s.method)) {
    problems.push(`"method" must be one of ${METHODS.join(', ')}.`);
  }
  if (
    s.signingAlgorithm !== undefined &&
    !SIGNING_ALGORITHMS.some((a) => a === s.signingAlgorithm)
  ) {
    problems.push('"signingAlgorithm" must be RS256 or ES384, the two STS signs with.');
  }
  const d = s.durationSeconds;
  if (
    d !== undefined &&
    (!Number.isInteger(d) || (d as number) < MIN_DURATION || (d as number) > MAX_DURATION)
  ) {
    problems.push(
      `"durationSeconds" must be a whole number from ${MIN_DURATION} to ${MAX_DURATION} (STS's bounds; 300 when left out).`,
    );
  }
  const extra = s.additionalAudiences;
  if (extra !== undefined) {
    if (!Array.isArray(extra) || extra.some((a) => typeof a !== 'string' || a.trim() === '')) {
      problems.push('"additionalAudiences" must be a list of non-empty texts.');
    } else if (extra.length > MAX_AUDIENCES - 1) {
      problems.push(
        `STS takes at most ${MAX_AUDIENCES} audiences: keep "additionalAudiences" to ${MAX_AUDIENCES - 1}.`,
      );
    } else if (extra.some((a: string) => a.length > MAX_AUDIENCE_LENGTH)) {
      problems.push(`Each audience may have at most ${MAX_AUDIENCE_LENGTH} characters.`);
    }
  }
  const tags = s.tags;
  if (tags !== undefined) {
    if (!isRecord(tags) || Object.values(tags).some((v) => typeof v !== 'string')) {
      problems.push('"tags" must map tag keys to text values.');
    } else if (Object.keys(tags).length > MAX_TAGS) {
      problems.push(`STS takes at most ${MAX_TAGS} tags.`);
    } else if (
      Object.entries(tags).some(
        ([k, v]) =>
          k.length === 0 || k.length > MAX_TAG_KEY || (v as string).length > MAX_TAG_VALUE,
      )
    ) {
      problems.push(
        `Tag keys have 1 to ${MAX_TAG_KEY} characters and values at most ${MAX_TAG_VALUE}.`,
      );
    }
  }
  return problems;
}

/** The STS request for an account and the audience asked for (first in the list). */
function stsRequest(settings: StsSettings, audience: string): WebIdentityTokenRequest {
  if (!audience) {
    throw new TokenExplorerError(
      'bad-config',
      'STS GetWebIdentityToken needs an audience (Audience.member.1): the service that will accept the token, e.g. https://api.example.com.',
    );
  }
  if (audience.length > MAX_AUDIENCE_LENGTH) {
    throw new TokenExplorerError(
      'bad-config',
      `The audience has ${audience.length} characters; STS takes at most ${MAX_AUDIENCE_LENGTH}.`,
    );
  }
  return {
    audiences: [audience, ...settings.additionalAudiences.filter((a) => a !== audience)],
    signingAlgorithm: settings.signingAlgorithm,
    ...(settings.durationSeconds !== undefined
      ? { durationSeconds: settings.durationSeconds }
      : {}),
    tags: settings.tags,
  };
}

/**
 * The aws CLI's arguments: `sts get-web-identity-token --audience A [B…] --signing-algorithm ALG
 * [--duration-seconds N] [--tags JSON] [--profile P] [--region R] [--endpoint-url U] --output json
 * --no-cli-pager` (https://docs.aws.amazon.com/cli/latest/reference/sts/get-web-identity-token.html).
 */
export function cliArgs(settings: StsSettings, request: WebIdentityTokenRequest): string[] {
  const tags = Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }));
  return [
    'sts',
    'get-web-identity-token',
    '--audience',
    ...request.audiences,
    '--signing-algorithm',
    request.signingAlgorithm,
    ...(request.durationSeconds !== undefined
      ? ['--duration-seconds', String(request.durationSeconds)]
      : []),
    ...(tags.length > 0 ? ['--tags', JSON.stringify(tags)] : []),
    ...(settings.profile ? ['--profile', settings.profile] : []),
    ...(settings.region ? ['--region', settings.region] : []),
    ...(settings.endpointUrl ? ['--endpoint-url', settings.endpointUrl] : []),
    '--output',
    'json',
    '--no-cli-pager',
  ];
}

/**
 * The aws CLI's error, for quoting: its own lines ("An error occurred (CODE)…", "aws: error: …",
 * "Unable to locate credentials…") rather than the usage text it prints before them.
 */
function awsSaid(stderr: string): string {
  const lines = errorLines(stderr).filter((line) => line.trim() !== '');
  const own = lines.filter((line) => !/^(?:usage:|To see help text|\s+aws )/.test(line));
  return excerpt(own.length > 0 ? own.slice(-4) : lines);
}

/** GetWebIdentityToken through the aws CLI; `cli-not-found` when it is not installed. */
async function webIdentityTokenWithCli(
  settings: StsSettings,
  request: WebIdentityTokenRequest,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<{ token: string; expiration?: string }> {
  const args = cliArgs(settings, request);
  const shown = `aws sts get-web-identity-token --audience ${request.audiences.join(' ')}`;
  const result = await runCli(
    context.runner,
    settings.awsPath,
    args,
    { timeoutMs: context.timeoutMs, signal },
    {
      notFound: () =>
        `The aws CLI was not found (${settings.awsPath}). Install AWS CLI v2, set "awsPath" in the account, or set "method" to "sdk".`,
      // "awsPath" is the account's own setting; the SDK method needs no CLI.
      notFoundRemedies: [
        ...(context.awsSdk
          ? [
              {
                kind: 'setAccountSetting' as const,
                key: 'method',
                value: 'sdk',
                label: 'Use the SDK Method',
              },
            ]
          : []),
        { kind: 'editAccountSettings' },
        { kind: 'openUrl', url: INSTALL_PAGES.aws, label: 'Install Guide' },
      ],
      timeout: (seconds) =>
        `${shown} did not finish within ${seconds} s and was stopped. Run it in a terminal: the CLI may be waiting for the network, an SSO sign-in or an MFA code.`,
    },
  );
  if (result.exitCode !== 0) {
    const head = failureHead(shown, result, awsSaid(result.stderr));
    // aws CLI return codes: 252 bad syntax, 253 bad configuration or credentials, 254 service error
    // (https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-returncodes.html).
    const row = recogniseOfficialText('aws', result.stderr);
    const advised = settings.profile ? { profile: settings.profile } : {};
    throw new TokenExplorerError(
      row?.code ?? (result.exitCode === 253 ? 'no-credentials' : 'cli-failed'),
      `${head}${row?.advice(advised) ?? 'Run the same command in a terminal to see the whole output.'}`,
      { remedies: row?.remedies?.(advised) ?? [] },
    );
  }
  const output = jsonFromStdout(result.stdout, shown);
  const token = isRecord(output) ? output.WebIdentityToken : undefined;
  if (typeof token !== 'string' || token === '') {
    throw new TokenExplorerError(
      'bad-response',
      `${shown} printed JSON without a WebIdentityToken. Run it in a terminal to see what it prints; an outdated aws CLI may be the cause.`,
    );
  }
  const expiration = isRecord(output) ? output.Expiration : undefined;
  return { token, ...(typeof expiration === 'string' ? { expiration } : {}) };
}

/** The minted token with its expiry: the token's `exp`, else STS's `Expiration`. */
function minted(result: { token: string; expiration?: string }): MintedToken {
  const peeked = peekToken(result.token);
  if (peeked.kind !== 'jws' || peeked.problems.length > 0) {
    throw new TokenExplorerError(
      'not-a-jwt',
      'STS returned a WebIdentityToken that is not a readable JWT; check the endpoint URL and any proxy.',
    );
  }
  const exp = peeked.times.exp;
  const fromResponse = result.expiration ? Date.parse(result.expiration) : Number.NaN;
  const expiresAt = exp !== undefined ? Math.round(exp * 1000) : fromResponse;
  if (!Number.isFinite(expiresAt)) {
    throw new TokenExplorerError(
      'bad-response',
      'The WebIdentityToken has no exp claim and STS gave no Expiration.',
    );
  }
  return { token: result.token, expiresAt };
}

/**
 * Mints AWS web identity tokens (IAM outbound identity federation) with STS
 * `GetWebIdentityToken`: through the aws CLI (`aws sts get-web-identity-token`), or, where it is
 * not installed (or `method` is `sdk`), natively with the AWS SDK's credential chain. Settings:
 * `method`, `profile`, `region`, `endpointUrl`, `awsPath`, `signingAlgorithm` (RS256 | ES384),
 * `durationSeconds` (60-3600), `additionalAudiences`, `tags`.
 */
export const awsStsProvider: Provider = {
  kind: 'aws-sts',
  label: 'AWS: STS GetWebIdentityToken',

  async mint(account, request, context) {
    assertSettingsValid(awsStsProvider.validate(account), account);
    const settings = readSettings(account);
    const sts = stsRequest(settings, request.audience.trim());
    if (settings.method === 'sdk') {
      return minted(await webIdentityTokenNatively(sts, settings, context, request.signal));
    }
    try {
      return minted(await webIdentityTokenWithCli(settings, sts, context, request.signal));
    } catch (error) {
      if (
        settings.method === 'cli' ||
        !(error instanceof TokenExplorerError) ||
        error.code !== 'cli-not-found' ||
        !context.awsSdk
      ) {
        throw error;
      }
      context.logger.info(`aws CLI not found (${settings.awsPath}); calling STS with the AWS SDK.`);
      return minted(await webIdentityTokenNatively(sts, settings, context, request.signal));
    }
  },

  validate(account) {
    const problems = nonTextSettings(account.settings, [
      'profile',
      'region',
      'endpointUrl',
      'awsPath',
      'method',
      'signingAlgorithm',
    ]);
    if (problems.length > 0) return problems;
    const settings = readSettings(account);
    if (settings.profile && !PROFILE.test(settings.profile)) {
      problems.push(`"${settings.profile}" is not an AWS profile name.`);
    }
    if (settings.region && !REGION.test(settings.region)) {
      problems.push(`"${settings.region}" is not an AWS region code (e.g. us-east-1).`);
    }
    if (settings.endpointUrl && !/^https?:\/\/[^\s/]+/i.test(settings.endpointUrl)) {
      problems.push(
        '"endpointUrl" must be an http(s) URL, e.g. https://sts.us-east-1.amazonaws.com.',
      );
    }
    problems.push(...requestProblems(account));
    return problems;
  },

  describe(account) {
    const { profile, region, signingAlgorithm } = readSettings(account);
    return `AWS STS: ${profile ? `profile ${profile}` : 'default credentials'}${region ? `, ${region}` : ''} (${signingAlgorithm})`;
  },
};

/**
 * The profiles the aws CLI knows (`aws configure list-profiles`, one name a line), for the
 * wizard; undefined when the CLI is not installed there.
 */
export async function awsProfiles(
  context: ProviderContext,
  awsPath = 'aws',
): Promise<string[] | undefined> {
  let result;
  try {
    result = await runCli(
      context.runner,
      awsPath,
      ['configure', 'list-profiles'],
      { timeoutMs: context.timeoutMs },
      {
        notFound: () => `The aws CLI was not found (${awsPath}).`,
        timeout: (seconds) => `aws configure list-profiles did not finish within ${seconds} s.`,
      },
    );
  } catch (error) {
    if (error instanceof TokenExplorerError && error.code === 'cli-not-found') return undefined;
    throw error;
  }
  if (result.exitCode !== 0) {
    throw new TokenExplorerError(
      'cli-failed',
      failureHead('aws configure list-profiles', result, awsSaid(result.stderr)),
    );
  }
  return result.stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => PROFILE.test(line));
}
