import { awsStsDescriptor } from './aws/stsDescriptor';
import { azureAccessTokenDescriptor } from './azure/accessTokenDescriptor';
import { azurePipelinesDescriptor } from './azurePipelines/oidcTokenDescriptor';
import { bitbucketPipelinesDescriptor } from './bitbucket/pipelinesDescriptor';
import { buildkiteDescriptor } from './buildkite/agentOidcDescriptor';
import { circleciDescriptor } from './circleci/oidcDescriptor';
import { customCommandDescriptor } from './custom/commandDescriptor';
import type { ProviderDeps, ProviderDescriptor } from './descriptor';
import { githubActionsDescriptor } from './github/actionsDescriptor';
import { gitlabCiDescriptor } from './gitlab/ciTokenDescriptor';
import { gcloudDescriptor } from './google/gcloudDescriptor';
import { impersonationDescriptor } from './google/impersonationDescriptor';
import { metadataDescriptor } from './google/metadataDescriptor';
import { serviceAccountKeyDescriptor } from './google/serviceAccountKeyDescriptor';
import { userIdentityDescriptor } from './google/userIdentityDescriptor';
import { kubernetesDescriptor } from './kubernetes/kubernetesDescriptor';
import { localIssuerDescriptor } from './local/localIssuerDescriptor';
import type { Provider } from './provider';
import { tokenFileDescriptor } from './tokenFile/tokenFileDescriptor';
import { yandexCliDescriptor } from './yandex/ycDescriptor';

/**
 * Every token source the extension ships: the only list of kinds. The order is the wizard's (the
 * recommended way first), the tree's within a group and Detect Credentials'.
 */
export const PROVIDERS = [
  impersonationDescriptor,
  gcloudDescriptor,
  metadataDescriptor,
  serviceAccountKeyDescriptor,
  userIdentityDescriptor,
  yandexCliDescriptor,
  kubernetesDescriptor,
  awsStsDescriptor,
  gitlabCiDescriptor,
  githubActionsDescriptor,
  buildkiteDescriptor,
  circleciDescriptor,
  bitbucketPipelinesDescriptor,
  azurePipelinesDescriptor,
  azureAccessTokenDescriptor,
  tokenFileDescriptor,
  customCommandDescriptor,
  localIssuerDescriptor,
] as const;

/** Every way of minting an ID token the extension knows. */
export type ProviderKind = (typeof PROVIDERS)[number]['kind'];

/** The kinds, in registry order. */
export const PROVIDER_KINDS: readonly ProviderKind[] = PROVIDERS.map((p) => p.kind);

const BY_KIND = new Map<string, ProviderDescriptor<ProviderKind>>(
  PROVIDERS.map((p) => [p.kind, p]),
);

/** Whether `kind` names a registered provider. */
export function isProviderKind(kind: unknown): kind is ProviderKind {
  return typeof kind === 'string' && BY_KIND.has(kind);
}

/** The descriptor of a kind. */
export function descriptorOf(kind: ProviderKind): ProviderDescriptor<ProviderKind> {
  const descriptor = BY_KIND.get(kind);
  if (!descriptor) throw new Error(`No provider is registered for the kind "${kind}".`);
  return descriptor;
}

/** What a kind's tokens are called in the UI: "ID token", or "access token" for Azure's. */
export function tokenNoun(kind: ProviderKind): 'ID token' | 'access token' {
  return BY_KIND.get(kind)?.tokenType ?? 'ID token';
}

/** Every provider the extension ships, by kind; the local one mints through the running issuer. */
export function createProviders(
  localIssuer: ProviderDeps['localIssuer'],
): ReadonlyMap<ProviderKind, Provider> {
  return new Map(PROVIDERS.map((p) => [p.kind, p.create({ localIssuer })]));
}
