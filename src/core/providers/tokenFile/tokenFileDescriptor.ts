import { peekToken } from '../../jwt/peek';
import { formatDuration } from '../../jwt/time';
import type { ProviderContext } from '../provider';
import type { DetectPorts, DetectedCredential, WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { locationOf, shownLocation, tokenFileProvider } from './tokenFile';
import {
  KUBERNETES_TOKEN_DIR,
  type TokenLocation,
  WELL_KNOWN_TOKEN_PLACES,
  conventionalLocation,
  wellKnownPlace,
} from './wellKnown';

const KIND = 'token-file';

/** A location where a readable, unexpired JWT was found. */
interface FoundToken {
  readonly location: TokenLocation;
  readonly label: string;
  /** The account's suggested name. */
  readonly name: string;
  /** Issuer, audience and time left, for the pick row (never the token). */
  readonly summary: string;
}

/** The well-known locations, the Kubernetes one under the context's in-cluster root. */
function wellKnownLocations(
  context: ProviderContext,
): { location: TokenLocation; label: string; name: string }[] {
  return WELL_KNOWN_TOKEN_PLACES.map((place) => ({
    label: place.label,
    name: place.name,
    location:
      place.location.kind === 'path' && context.inClusterRoot !== undefined
        ? {
            kind: 'path',
            path: place.location.path.replace(KUBERNETES_TOKEN_DIR, context.inClusterRoot),
          }
        : place.location,
  }));
}

/**
 * A short, secret-free summary of the token at a location (issuer, audience, time left), or
 * undefined when nothing readable holds a JWT there. Reads only through the context's ports.
 */
async function summarize(
  location: TokenLocation,
  context: ProviderContext,
): Promise<string | undefined> {
  try {
    const minted = await tokenFileProvider.mint(
      { id: 'detect', kind: KIND, settings: settingsOf(location) },
      { audience: '' },
      context,
    );
    const left = (minted.expiresAt - context.clock.now()) / 1000;
    const claims = peekToken(minted.token).payload ?? {};
    const aud = [claims.aud].flat().filter((a) => typeof a === 'string');
    const iss = typeof claims.iss === 'string' ? claims.iss : 'no issuer';
    return `${iss} → ${aud.join(', ') || 'no audience'}, ${formatDuration(left)} left`;
  } catch {
    return undefined;
  }
}

function settingsOf(location: TokenLocation): Record<string, string> {
  switch (location.kind) {
    case 'path':
      return { path: location.path };
    case 'pathVariable':
      return { pathVariable: location.name };
    case 'variable':
      return { variable: location.name };
  }
}

/** Every well-known location (and conventional variable in `names`) that holds a readable JWT. */
export async function findTokenLocations(
  context: ProviderContext,
  names: readonly string[] = [],
): Promise<FoundToken[]> {
  const candidates = wellKnownLocations(context);
  for (const name of names) {
    const location = conventionalLocation(name);
    if (
      location &&
      !candidates.some((c) => shownLocation(c.location) === shownLocation(location))
    ) {
      candidates.push({ location, label: `$${name}`, name: `$${name}` });
    }
  }
  const summaries = await Promise.all(candidates.map((c) => summarize(c.location, context)));
  return candidates.flatMap((c, i) => {
    const summary = summaries[i];
    return summary === undefined ? [] : [{ ...c, summary }];
  });
}

function shortLocation(location: TokenLocation): string {
  return location.kind === 'path' ? location.path : `$${location.name}`;
}

/** Picks a found token location, a file, or a typed path or variable name. */
const chooseLocation: WizardStep = async (draft, { ui, context, environmentNames }) => {
  if (locationOf({ id: '', kind: KIND, settings: draft.settings })) return draft;
  const found = await ui.busy('Looking for token files…', () =>
    findTokenLocations(context, environmentNames()),
  );
  const browse = '$(folder-opened) Choose a file…';
  const typed = '$(edit) Type a path or a variable name…';
  const picked = await ui.pick(
    [
      ...found.map((f) => ({
        label: `$(file-code) ${f.label}`,
        description: shortLocation(f.location),
        detail: f.summary,
        location: f.location as TokenLocation | undefined,
      })),
      { label: browse, location: undefined },
      { label: typed, location: undefined },
    ],
    { title: 'Token file: where is the token?', matchOnDescription: true },
  );
  if (!picked) return undefined;
  let location = picked.location;
  if (!location && picked.label === browse) {
    const file = await ui.pickFile({
      title: 'The file holding the JWT',
      filters: { 'All files': ['*'] },
    });
    if (!file) return undefined;
    location = { kind: 'path', path: file.path };
  }
  if (!location) {
    const value = (
      await ui.input({
        title: 'Token file',
        prompt:
          'An absolute path, $NAME for a variable naming the file (e.g. $AWS_WEB_IDENTITY_TOKEN_FILE), or =NAME for a variable holding the token',
        placeHolder: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        validate: (text) => (text.trim() === '' ? 'Give a path, $NAME or =NAME.' : undefined),
      })
    )?.trim();
    if (!value) return undefined;
    location = value.startsWith('$')
      ? { kind: 'pathVariable', name: value.slice(1) }
      : value.startsWith('=')
        ? { kind: 'variable', name: value.slice(1) }
        : { kind: 'path', path: value };
  }
  const place = wellKnownPlace(location);
  return {
    ...draft,
    settings: { ...draft.settings, ...settingsOf(location) },
    name: draft.name ?? (place ? place.name : `Token file ${shortLocation(location)}`),
  };
};

async function detect({
  context,
  environmentNames,
}: DetectPorts): Promise<readonly DetectedCredential[]> {
  const found = await findTokenLocations(context, environmentNames());
  return found.map((f) => {
    // Told apart from the Kubernetes in-cluster candidate, which mints for a chosen audience.
    const podToken = isPodToken(f.location, context);
    return {
      label: podToken
        ? `$(file-code) ${f.label} file (this pod's own token)`
        : `$(file-code) ${f.label}`,
      description: shortLocation(f.location),
      detail: podToken
        ? `${f.summary} · re-read as the kubelet rotates it; its audience is fixed by the pod spec`
        : f.summary,
      draft: { kind: KIND, settings: settingsOf(f.location), name: f.name },
    };
  });
}

/** Whether a location is the pod's projected service-account token (under the in-cluster root). */
function isPodToken(location: TokenLocation, context: ProviderContext): boolean {
  const dir = context.inClusterRoot ?? KUBERNETES_TOKEN_DIR;
  return location.kind === 'path' && location.path === `${dir}/token`;
}

/** A JWT a platform keeps in a file or variable, re-read at each refresh. */
export const tokenFileDescriptor: ProviderDescriptor<'token-file'> = {
  kind: 'token-file',
  label: tokenFileProvider.label,
  icon: 'file-code',
  group: { id: 'files', label: 'Token files' },
  audienceOptional: true,
  audienceText: {
    prompt:
      "Optional: the platform that writes the file chose its token's audience. Left empty, Get ID Token takes the token as it is; an audience given here is checked against it.",
    placeHolder: 'Leave empty to take the token as it is',
    none: "the file's token as it is (the platform chose its audience)",
    presets: false,
  },
  pick: {
    label: 'Token file',
    description: 'a JWT a platform keeps in a file or variable',
    detail:
      'EKS IRSA and Pod Identity, AKS workload identity, Kubernetes service-account tokens, HCP Terraform runs: re-read at each refresh.',
  },
  schema: {
    description:
      'Token file: a JWT kept in a file or variable by the platform (EKS, AKS, Kubernetes, HCP Terraform)',
    settings: {
      path: {
        type: 'string',
        description:
          'Absolute path of the file holding the JWT, e.g. /var/run/secrets/kubernetes.io/serviceaccount/token.',
      },
      pathVariable: {
        type: 'string',
        description:
          'Environment variable naming the file, e.g. AWS_WEB_IDENTITY_TOKEN_FILE, AZURE_FEDERATED_TOKEN_FILE.',
      },
      variable: {
        type: 'string',
        description:
          'Environment variable holding the JWT itself, e.g. TFC_WORKLOAD_IDENTITY_TOKEN.',
      },
    },
  },
  create: () => tokenFileProvider,
  wizard: [chooseLocation],
  detect,
};
