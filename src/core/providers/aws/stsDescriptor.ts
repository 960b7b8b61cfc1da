import { errorMessage } from '../../errors';
import type { DetectPorts, DetectedCredential, WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { optionalString } from '../settings';
import { awsProfiles, awsStsProvider } from './stsToken';
import { MAX_DURATION, MIN_DURATION, SIGNING_ALGORITHMS } from './stsQuery';

/** Picks the AWS profile: one `aws configure list-profiles` lists, typed, or the default chain. */
const chooseProfile: WizardStep = async (draft, { ui, context }) => {
  if (draft.settings.profile !== undefined) return draft;
  let listed: string[] = [];
  let why: string | undefined;
  let noCli = false;
  try {
    const profiles = await ui.busy('Asking the aws CLI for its profiles…', () =>
      awsProfiles(context, optionalString(draft.settings.awsPath)),
    );
    noCli = profiles === undefined;
    listed = profiles ?? [];
  } catch (error) {
    // The reason is shown in the picker that follows, not in a toast beside the wizard.
    why = errorMessage(error).replace(/\s+/g, ' ').trim().replace(/\.$/, '');
    context.logger.warn(`aws configure list-profiles failed: ${why}`);
  }
  const fromEnv = context.env.get('AWS_PROFILE');
  const chain = '$(key) Default credentials';
  const typed = '$(edit) Type a profile name…';
  const picked = await ui.pick(
    [
      {
        label: chain,
        description: fromEnv
          ? `AWS_PROFILE=${fromEnv}`
          : 'environment, default profile, SSO, instance role',
        // method "auto" then calls STS natively; say so before the first mint does.
        ...(noCli
          ? {
              detail:
                'No aws CLI was found here: the AWS SDK built into Token Explorer will call STS.',
            }
          : {}),
        profile: '',
      },
      ...listed.map((name) => ({ label: name, description: 'profile', profile: name })),
      {
        label: typed,
        ...(why ? { detail: `The aws CLI could not list the profiles: ${why}` } : {}),
        profile: '',
      },
    ],
    { title: 'AWS: which credentials call STS?' },
  );
  if (!picked) return undefined;
  const profile =
    picked.label === typed
      ? (await ui.input({ title: 'AWS profile', placeHolder: 'my-sso-profile' }))?.trim()
      : picked.profile;
  if (profile === undefined) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, ...(profile ? { profile } : {}) },
    name: draft.name ?? `AWS ${profile || 'default credentials'}`,
  };
};

/** Asks the region (GetWebIdentityToken has no global endpoint) and the signing algorithm. */
const chooseRegionAndAlgorithm: WizardStep = async (draft, { ui, context }) => {
  let settings = draft.settings;
  if (settings.region === undefined) {
    const region = await ui.input({
      title: 'AWS region of the STS endpoint',
      prompt: "Leave empty to use the profile's region (or AWS_REGION)",
      value: context.env.get('AWS_REGION') ?? '',
      placeHolder: 'us-east-1',
    });
    if (region === undefined) return undefined;
    if (region.trim()) settings = { ...settings, region: region.trim() };
  }
  if (settings.signingAlgorithm === undefined) {
    const picked = await ui.pick(
      SIGNING_ALGORITHMS.map((alg) => ({
        label: alg,
        description:
          alg === 'RS256' ? 'RSA with SHA-256 (accepted most widely)' : 'ECDSA P-384 with SHA-384',
      })),
      { title: 'Signing algorithm of the token' },
    );
    if (!picked) return undefined;
    settings = { ...settings, signingAlgorithm: picked.label };
  }
  return { ...draft, settings };
};

/** The lifetimes offered; STS signs 60-3600 s and defaults to 300 (API reference). */
const LIFETIMES = [
  { label: '5 min', seconds: 300, description: "STS's default" },
  { label: '15 min', seconds: 900, description: '' },
  { label: '1 hour', seconds: MAX_DURATION, description: 'the longest STS signs' },
] as const;

/** Asks the token's lifetime (DurationSeconds); STS's default leaves the setting out. */
const chooseDuration: WizardStep = async (draft, { ui }) => {
  if (draft.settings.durationSeconds !== undefined) return draft;
  const other = `$(edit) Other (${MIN_DURATION} to ${MAX_DURATION} seconds)…`;
  const picked = await ui.pick(
    [
      ...LIFETIMES.map((l) => ({ label: l.label, description: l.description, seconds: l.seconds })),
      { label: other, description: '', seconds: 0 },
    ],
    { title: 'Lifetime of each token' },
  );
  if (!picked) return undefined;
  let seconds: number = picked.seconds;
  if (picked.label === other) {
    const typed = await ui.input({
      title: 'Lifetime of each token, in seconds',
      placeHolder: '600',
      validate: (text) => {
        const n = Number(text.trim());
        return Number.isInteger(n) && n >= MIN_DURATION && n <= MAX_DURATION
          ? undefined
          : `A whole number of seconds from ${MIN_DURATION} to ${MAX_DURATION}.`;
      },
    });
    if (typed === undefined) return undefined;
    seconds = Number(typed.trim());
  }
  if (seconds === 300) return draft;
  return { ...draft, settings: { ...draft.settings, durationSeconds: seconds } };
};

/**
 * AWS credentials VS Code can see without running anything: AWS_ACCESS_KEY_ID or AWS_PROFILE in
 * the environment, or a shared config or credentials file (AWS_CONFIG_FILE,
 * AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials), read through the ports.
 */
async function detect({ context }: DetectPorts): Promise<readonly DetectedCredential[]> {
  const env = context.env;
  const home = env.homeDir;
  const files = [
    env.get('AWS_CONFIG_FILE') ?? `${home}/.aws/config`,
    env.get('AWS_SHARED_CREDENTIALS_FILE') ?? `${home}/.aws/credentials`,
  ];
  const found = env.get('AWS_ACCESS_KEY_ID')
    ? 'AWS_ACCESS_KEY_ID'
    : env.get('AWS_PROFILE')
      ? `AWS_PROFILE=${env.get('AWS_PROFILE')}`
      : await (async () => {
          for (const file of files) {
            const text = await context.files.readText(file).catch(() => undefined);
            if (text !== undefined && /^[ \t]*\[/m.test(text)) return file;
          }
          return undefined;
        })();
  if (!found) return [];
  const profile = env.get('AWS_PROFILE');
  const region = env.get('AWS_REGION') ?? env.get('AWS_DEFAULT_REGION');
  return [
    {
      label: '$(cloud) AWS: STS GetWebIdentityToken',
      description: found,
      detail:
        'Mints web identity tokens with your AWS credentials (outbound identity federation must be enabled for the account).',
      draft: {
        kind: 'aws-sts',
        settings: { ...(profile ? { profile } : {}), ...(region ? { region } : {}) },
        name: `AWS ${profile ?? 'default credentials'}`,
      },
    },
  ];
}

/** IAM outbound identity federation: STS GetWebIdentityToken, by the aws CLI or the AWS SDK. */
export const awsStsDescriptor: ProviderDescriptor<'aws-sts'> = {
  kind: 'aws-sts',
  label: awsStsProvider.label,
  icon: 'cloud',
  group: { id: 'aws', label: 'AWS' },
  audienceOptional: false,
  audienceText: {
    prompt:
      'The audience the external service expects (the "aud" its trust checks, e.g. your GCP workload identity provider or api://AzureADTokenExchange). Optional: asked at each mint when empty; more audiences go in "additionalAudiences".',
    placeHolder: 'https://api.example.com',
  },
  pick: {
    label: 'AWS web identity token',
    description: 'sts get-web-identity-token',
    detail:
      'IAM outbound identity federation: a JWT for your AWS role or user, through the aws CLI or, without it, the AWS SDK.',
  },
  schema: {
    description: 'AWS: STS GetWebIdentityToken (IAM outbound identity federation)',
    settings: {
      method: {
        type: 'string',
        enum: ['auto', 'cli', 'sdk'],
        default: 'auto',
        description: 'auto: the aws CLI when installed, else the AWS SDK; cli or sdk: only that.',
      },
      profile: {
        type: 'string',
        description: 'AWS profile (--profile); default credentials when absent.',
      },
      region: {
        type: 'string',
        description: "Region of the STS endpoint (--region); else AWS_REGION or the profile's.",
      },
      signingAlgorithm: {
        type: 'string',
        enum: [...SIGNING_ALGORITHMS],
        default: 'RS256',
        description: 'SigningAlgorithm of the token.',
      },
      durationSeconds: {
        type: 'integer',
        minimum: MIN_DURATION,
        maximum: MAX_DURATION,
        description: 'Lifetime of the token in seconds (STS: 60-3600, default 300).',
      },
      additionalAudiences: {
        type: 'array',
        items: { type: 'string' },
        maxItems: 9,
        description: 'More audiences after the requested one (STS takes up to 10).',
      },
      tags: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'Request tags, added to the token under request_tags (up to 50).',
      },
      endpointUrl: {
        type: 'string',
        description: 'STS endpoint (--endpoint-url), e.g. a VPC endpoint; else the regional one.',
      },
      awsPath: { type: 'string', description: 'The aws executable; "aws" from PATH when absent.' },
    },
  },
  create: () => awsStsProvider,
  wizard: [chooseProfile, chooseRegionAndAlgorithm, chooseDuration],
  detect,
};
