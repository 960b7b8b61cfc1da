/**
 * Claims of the CI systems beside GitLab and GitHub, and of Microsoft Entra access tokens, each
 * table from the system's documentation (URL above it). Part of the claims catalogue.
 */
import type { ClaimSource } from './types';

/** What the catalogue knows about one claim (the type claimCatalogue.ts exports). */
interface ClaimInfo {
  readonly label: string;
  readonly description: string;
  readonly source: ClaimSource;
}

type Entry = readonly [name: string, label: string, description: string];

function catalogue(source: ClaimSource, entries: readonly Entry[]): ReadonlyMap<string, ClaimInfo> {
  return new Map(
    entries.map(([name, label, description]) => [name, { label, description, source }]),
  );
}

// https://buildkite.com/docs/agent/v3/cli-oidc ("Token contents", "Optional claims").
const BUILDKITE = catalogue('buildkite', [
  ['iss', 'Issuer', "Buildkite's agent token service, https://agent.buildkite.com."],
  [
    'sub',
    'Subject',
    'organization:ORG:pipeline:PIPELINE:ref:REF:commit:SHA:step:STEP_KEY of the job.',
  ],
  ['aud', 'Audience', 'The --audience asked for; by default https://buildkite.com/ORG_SLUG.'],
  ['organization_slug', 'Organization', 'Slug of the Buildkite organization.'],
  ['pipeline_slug', 'Pipeline', 'Slug of the pipeline.'],
  ['build_number', 'Build number', 'Number of the build in its pipeline.'],
  ['build_branch', 'Build branch', 'Branch the build runs for.'],
  ['build_tag', 'Build tag', 'Tag of the build, when it has one.'],
  ['build_commit', 'Build commit', 'Commit SHA the build runs on.'],
  ['step_key', 'Step key', 'The key attribute of the step (null when unset).'],
  ['job_id', 'Job ID', 'UUID of the job that requested the token.'],
  ['agent_id', 'Agent ID', 'UUID of the agent running the job.'],
  ['organization_id', 'Organization ID', 'UUID of the organization (--claim organization_id).'],
  ['pipeline_id', 'Pipeline ID', 'UUID of the pipeline (--claim pipeline_id).'],
]);

// https://circleci.com/docs/openid-connect-tokens/ and
// https://discuss.circleci.com/t/new-oidc-custom-claims/54214 (org-id, pipeline ids). The V2
// subject's /vcs-origin/…/vcs-ref/… tail is what public trust policies match; the separate
// vcs-origin and vcs-ref claims are unconfirmed (not in the text found).
const CIRCLECI = catalogue('circleci', [
  ['iss', 'Issuer', 'https://oidc.circleci.com/org/ORGANIZATION_ID.'],
  [
    'sub',
    'Subject',
    'org/ORG_ID/project/PROJECT_ID/user/USER_ID; V2 adds /vcs-origin/ORIGIN/vcs-ref/REF.',
  ],
  ['aud', 'Audience', 'The organization id, or the aud given to circleci run oidc get.'],
  ['oidc.circleci.com/project-id', 'Project ID', 'UUID of the project running the job.'],
  ['oidc.circleci.com/context-ids', 'Context IDs', 'UUIDs of the contexts the job uses.'],
  ['oidc.circleci.com/vcs-origin', 'VCS origin', 'Repository the pipeline was built from.'],
  ['oidc.circleci.com/vcs-ref', 'VCS ref', 'Git ref the pipeline runs for, e.g. refs/heads/main.'],
  ['oidc.circleci.com/ssh-rerun', 'SSH rerun', 'true when the job was started with SSH rerun.'],
  ['oidc.circleci.com/org-id', 'Organization ID', 'UUID of the organization.'],
  ['oidc.circleci.com/pipeline-id', 'Pipeline ID', 'UUID of the pipeline run.'],
  [
    'oidc.circleci.com/pipeline-definition-id',
    'Pipeline definition ID',
    'UUID of the pipeline definition.',
  ],
]);

// https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/;
// the claim names as the local runner bitbucket-pipelines-runner (pipeline_runner oidc.py)
// reproduces them (accountUuid, workspaceUuid, repositoryUuid, pipelineUuid, stepUuid,
// deploymentEnvironmentUuid, branchName); the exact `sub` layout is unconfirmed.
const BITBUCKET = catalogue('bitbucket', [
  [
    'iss',
    'Issuer',
    'The workspace identity provider, https://api.bitbucket.org/2.0/workspaces/WS/pipelines-config/identity/oidc.',
  ],
  ['sub', 'Subject', '{REPOSITORY_UUID}:{STEP_UUID}, with the environment UUID for deployments.'],
  ['aud', 'Audience', 'ari:cloud:bitbucket::workspace/UUID, or those under oidc: audiences:.'],
  ['accountUuid', 'Account UUID', 'UUID of the account that owns the workspace.'],
  ['workspaceUuid', 'Workspace UUID', 'UUID of the workspace.'],
  ['repositoryUuid', 'Repository UUID', 'UUID of the repository.'],
  ['pipelineUuid', 'Pipeline UUID', 'UUID of the pipeline run.'],
  ['stepUuid', 'Step UUID', 'UUID of the step that got the token.'],
  ['branchName', 'Branch', 'Branch the pipeline runs for.'],
  [
    'deploymentEnvironmentUuid',
    'Deployment environment',
    'UUID of the deployment environment of the step.',
  ],
]);

// https://learn.microsoft.com/azure/devops/pipelines/release/configure-workload-identity
// (issuer and subject of the Azure DevOps issuer).
const AZURE_DEVOPS = catalogue('azure-devops', [
  ['iss', 'Issuer', 'https://vstoken.dev.azure.com/ORGANIZATION_ID (the Azure DevOps issuer).'],
  ['sub', 'Subject', 'sc://ORGANIZATION/PROJECT/SERVICE_CONNECTION of the service connection.'],
  ['aud', 'Audience', 'api://AzureADTokenExchange, what Entra federated credentials expect.'],
]);

// https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
const ENTRA = catalogue('entra', [
  [
    'iss',
    'Issuer',
    'The Entra tenant: https://sts.windows.net/TENANT/ (v1.0) or https://login.microsoftonline.com/TENANT/v2.0.',
  ],
  ['aud', 'Audience', 'The resource the access token is for: its Application ID URI or client id.'],
  ['sub', 'Subject', 'The principal, unique per application; use oid across applications.'],
  ['oid', 'Object ID', 'Object id of the user, service principal or managed identity.'],
  ['tid', 'Tenant ID', 'The Entra tenant that issued the token.'],
  ['appid', 'Application ID', 'Client id of the caller (v1.0 tokens).'],
  ['azp', 'Authorized party', 'Client id of the caller (v2.0 tokens).'],
  ['appidacr', 'Client authentication', '0 public client, 1 secret, 2 certificate (v1.0).'],
  ['azpacr', 'Client authentication', '0 public client, 1 secret, 2 certificate (v2.0).'],
  ['idp', 'Identity provider', 'Who authenticated the subject, when not the tenant itself.'],
  ['roles', 'Roles', 'App roles granted to the caller (application permissions).'],
  ['scp', 'Scopes', 'Delegated permissions granted, space-separated.'],
  ['wids', 'Directory roles', 'Template ids of the directory roles of the user.'],
  ['groups', 'Groups', 'Object ids of the groups of the subject, when configured.'],
  ['ver', 'Token version', '1.0 or 2.0: the access token format the resource chose.'],
  ['uti', 'Token id', 'Internal token identifier; not a revocation handle.'],
  ['rh', 'Refresh handle', 'Internal claim Entra uses to revalidate tokens.'],
  ['aio', 'Internal', 'Opaque claim Entra uses; ignore it.'],
  [
    'xms_mirid',
    'Managed identity resource',
    'Azure resource id of the managed identity the token was issued to.',
  ],
  ['upn', 'User principal name', 'Sign-in name of the user (user tokens only).'],
  ['unique_name', 'Unique name', 'Human-readable name of the subject (v1.0).'],
]);

/** The families above, by name, for the claims catalogue's family table. */
export const CI_AND_AZURE_FAMILIES: readonly (readonly [string, ReadonlyMap<string, ClaimInfo>])[] =
  [
    ['buildkite', BUILDKITE],
    ['circleci', CIRCLECI],
    ['bitbucket', BITBUCKET],
    ['azure-devops', AZURE_DEVOPS],
    ['entra', ENTRA],
  ];
