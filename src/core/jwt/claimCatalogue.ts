/** The claims catalogue: what each header parameter and claim means, per issuer family. */
import { AWS_CLAIMS } from './awsClaimCatalogue';
import { CI_AND_AZURE_FAMILIES } from './ciClaimCatalogue';
import type { ClaimSource } from './types';

/** What the catalogue knows about one header parameter or claim. */
export interface ClaimInfo {
  readonly label: string;
  readonly description: string;
  readonly source: ClaimSource;
}

/** The token sources whose claims the catalogue explains in their own terms. */

type Entry = readonly [name: string, label: string, description: string];

// Maps, never plain objects, so that names like "__proto__" or "constructor" are only data.
function catalogue(source: ClaimSource, entries: readonly Entry[]): ReadonlyMap<string, ClaimInfo> {
  return new Map(
    entries.map(([name, label, description]) => [name, { label, description, source }]),
  );
}

export const HEADER = catalogue('header', [
  [
    'alg',
    'Algorithm',
    'Algorithm that signs the token (JWS) or wraps its key (JWE); "none" means unsigned.',
  ],
  ['typ', 'Type', 'Media type of the whole token, usually JWT (or at+jwt, secevent+jwt...).'],
  ['kid', 'Key ID', "Which key of the issuer's JWKS signed the token."],
  ['cty', 'Content type', 'Media type of the payload; JWT when another token is nested inside.'],
  ['jku', 'JWK Set URL', 'URL of a JWKS holding the key; trust it only from an allow-list.'],
  ['jwk', 'JSON Web Key', 'The public key embedded in the header; never trust it on its own.'],
  ['x5u', 'X.509 URL', 'URL of the X.509 certificate chain holding the key.'],
  ['x5c', 'X.509 chain', 'Base64 DER certificate chain; the first certificate holds the key.'],
  [
    'x5t',
    'X.509 SHA-1 thumbprint',
    'Base64url SHA-1 thumbprint of the certificate holding the key.',
  ],
  [
    'x5t#S256',
    'X.509 SHA-256 thumbprint',
    'Base64url SHA-256 thumbprint of the certificate holding the key.',
  ],
  ['crit', 'Critical', 'Header parameters a receiver must understand, or else reject the token.'],
  ['enc', 'Content encryption', 'JWE algorithm that encrypts the content, e.g. A256GCM.'],
  ['zip', 'Compression', 'JWE compression applied before encryption (DEF = DEFLATE).'],
  ['epk', 'Ephemeral public key', "Sender's ephemeral key for ECDH-ES key agreement (JWE)."],
  ['apu', 'Agreement PartyUInfo', 'Information about the producer for ECDH-ES key derivation.'],
  ['apv', 'Agreement PartyVInfo', 'Information about the recipient for ECDH-ES key derivation.'],
  ['iv', 'Initialization vector', 'IV of AES-GCM key wrapping (A128GCMKW...).'],
  ['tag', 'Authentication tag', 'Tag of AES-GCM key wrapping (A128GCMKW...).'],
  ['p2s', 'PBES2 salt', 'Salt input of password-based key encryption (PBES2).'],
  ['p2c', 'PBES2 count', 'PBKDF2 iteration count of password-based key encryption (PBES2).'],
  ['b64', 'Base64url payload', 'false means the payload is not base64url-encoded (RFC 7797).'],
  [
    'nonce',
    'Nonce (Microsoft Entra)',
    'In Graph access tokens: signed in hashed form, so only Microsoft Graph can verify them.',
  ],
]);

const REGISTERED = catalogue('registered', [
  ['iss', 'Issuer', 'Who issued and signed the token; its keys are found from this URL.'],
  ['sub', 'Subject', 'The principal the token is about, such as a user or service account id.'],
  ['aud', 'Audience', 'Who the token is for; a receiver must reject a token not addressed to it.'],
  ['exp', 'Expires', 'Time from which the token must no longer be accepted.'],
  ['nbf', 'Not before', 'Time before which the token must not be accepted.'],
  ['iat', 'Issued at', 'Time the token was issued.'],
  ['jti', 'JWT ID', 'Unique identifier of this token, to detect replays.'],
]);

const OIDC = catalogue('oidc', [
  ['auth_time', 'Authentication time', 'When the end user last authenticated.'],
  ['nonce', 'Nonce', "Value from the client's authentication request, to stop replays."],
  ['acr', 'Authentication context', 'Class of assurance the authentication satisfied.'],
  ['amr', 'Authentication methods', 'How the user authenticated, e.g. pwd, otp, mfa.'],
  ['azp', 'Authorized party', 'The client the ID token was issued to, when it differs from aud.'],
  ['at_hash', 'Access token hash', 'Left half of the hash of the access token issued alongside.'],
  ['c_hash', 'Code hash', 'Left half of the hash of the authorization code issued alongside.'],
  ['s_hash', 'State hash', 'Left half of the hash of the state value (FAPI).'],
  ['sid', 'Session ID', "Identifier of the user's session at the issuer, used for logout."],
  ['name', 'Full name', "The user's full name, for display."],
  ['given_name', 'Given name', "The user's given (first) name."],
  ['family_name', 'Family name', "The user's family name (surname)."],
  ['middle_name', 'Middle name', "The user's middle name."],
  ['nickname', 'Nickname', "The user's casual name."],
  [
    'preferred_username',
    'Preferred username',
    'Shorthand name the user chose; neither unique nor stable, so never a key.',
  ],
  ['profile', 'Profile page', "URL of the user's profile page."],
  ['picture', 'Picture', "URL of the user's profile picture."],
  ['website', 'Website', "URL of the user's web page or blog."],
  ['email', 'Email', "The user's email address; not unique or stable, so never a key."],
  ['email_verified', 'Email verified', 'true when the issuer has verified the email address.'],
  ['gender', 'Gender', "The user's gender."],
  ['birthdate', 'Birthdate', "The user's birthday, YYYY-MM-DD (or YYYY alone)."],
  ['zoneinfo', 'Time zone', "The user's IANA time zone, e.g. Europe/Paris."],
  ['locale', 'Locale', "The user's BCP 47 locale, e.g. en-US."],
  ['phone_number', 'Phone number', "The user's phone number, preferably E.164."],
  [
    'phone_number_verified',
    'Phone verified',
    'true when the issuer has verified the phone number.',
  ],
  ['address', 'Address', "The user's postal address (a JSON object)."],
  ['address.formatted', 'Formatted address', 'The full mailing address, for display.'],
  ['address.street_address', 'Street address', 'House number, street, and so on.'],
  ['address.locality', 'Locality', 'City or locality.'],
  ['address.region', 'Region', 'State, province, prefecture or region.'],
  ['address.postal_code', 'Postal code', 'Zip or postal code.'],
  ['address.country', 'Country', 'Country name.'],
  ['updated_at', 'Updated', "When the user's profile was last updated."],
  ['cnf', 'Confirmation', 'Key the presenter must prove it holds (RFC 7800: DPoP, mutual TLS).'],
  [
    'cnf.jkt',
    'JWK thumbprint',
    'SHA-256 thumbprint of the DPoP key bound to the token (RFC 9449).',
  ],
  [
    'cnf.x5t#S256',
    'Certificate thumbprint',
    'SHA-256 thumbprint of the TLS client certificate bound to the token (RFC 8705).',
  ],
  ['cnf.jwk', 'Proof-of-possession key', 'Public key the presenter must prove it holds.'],
  ['cnf.kid', 'Proof-of-possession key ID', 'ID of the key the presenter must prove it holds.'],
  ['scope', 'Scope', 'Space-separated scopes granted to the token.'],
  ['client_id', 'Client ID', 'OAuth client that requested the token (RFC 8693, RFC 9068).'],
  [
    'events',
    'Security events',
    'Events of a Security Event Token, keyed by event type URI (RFC 8417).',
  ],
  ['toe', 'Time of event', 'When the security event happened (RFC 8417).'],
  ['act', 'Actor', 'Who acts on behalf of the subject, after a token exchange (RFC 8693).'],
  ['may_act', 'May act', 'Who may act on behalf of the subject (RFC 8693).'],
]);

const GOOGLE = catalogue('google', [
  [
    'iss',
    'Issuer',
    'Google, https://accounts.google.com; in a jwt-bearer assertion, the service account email.',
  ],
  ['sub', 'Subject', 'Unique numeric id of the service account or user; stable, unlike the email.'],
  [
    'aud',
    'Audience',
    "The requested audience (--audiences, target_audience); for a user's token, the OAuth client.",
  ],
  ['azp', 'Authorized party', 'OAuth client / service account unique id that requested the token'],
  [
    'email',
    'Email',
    'Service account or user email; present when requested with includeEmail or --include-email.',
  ],
  [
    'email_verified',
    'Email verified',
    'true when Google vouches for the email; always true for a service account.',
  ],
  ['hd', 'Hosted domain', "The user's Google Workspace domain; absent for other accounts."],
  [
    'target_audience',
    'Target audience',
    'In a jwt-bearer assertion: the audience the requested ID token will carry.',
  ],
  [
    'google',
    'Google',
    'Google-specific claims (metadata server format=full, organization number).',
  ],
  [
    'google.organization_number',
    'Organization number',
    "Number of the organization owning the service account's project.",
  ],
  [
    'google.compute_engine',
    'Compute Engine',
    'The VM that requested the token (metadata server, format=full).',
  ],
  ['google.compute_engine.project_id', 'Project ID', 'ID of the project that owns the VM.'],
  [
    'google.compute_engine.project_number',
    'Project number',
    'Number of the project that owns the VM.',
  ],
  ['google.compute_engine.zone', 'Zone', 'Zone the VM runs in, e.g. europe-west1-b.'],
  ['google.compute_engine.instance_id', 'Instance ID', 'Numeric id of the VM.'],
  ['google.compute_engine.instance_name', 'Instance name', 'Name of the VM.'],
  [
    'google.compute_engine.instance_creation_timestamp',
    'Instance created',
    'When the VM was created.',
  ],
  [
    'google.compute_engine.license_id',
    'License IDs',
    "License codes of the VM's images (requested with licenses=TRUE).",
  ],
]);

const GITLAB = catalogue('gitlab', [
  ['iss', 'Issuer', 'The GitLab instance URL, e.g. https://gitlab.com.'],
  ['sub', 'Subject', 'project_path:{group}/{project}:ref_type:{branch|tag}:ref:{name} of the job.'],
  ['aud', 'Audience', 'The aud set under id_tokens in .gitlab-ci.yml.'],
  ['namespace_id', 'Namespace ID', 'ID of the group or user namespace holding the project.'],
  ['namespace_path', 'Namespace path', 'Path of the group or user namespace holding the project.'],
  ['project_id', 'Project ID', 'ID of the project running the job.'],
  ['project_path', 'Project path', 'Full path of the project, group/project.'],
  ['user_id', 'User ID', 'ID of the user who started the job.'],
  ['user_login', 'User login', 'Username of the user who started the job.'],
  ['user_email', 'User email', 'Email of the user who started the job.'],
  [
    'user_access_level',
    'User access level',
    "The user's role in the project: guest, reporter, developer, maintainer or owner.",
  ],
  [
    'user_identities',
    'User identities',
    "The user's external identities (provider, extern_uid), when the project includes them.",
  ],
  ['pipeline_id', 'Pipeline ID', 'ID of the pipeline the job belongs to.'],
  [
    'pipeline_source',
    'Pipeline source',
    'What started the pipeline: push, web, schedule, merge_request_event, api, trigger...',
  ],
  ['job_id', 'Job ID', 'ID of the job that requested the token.'],
  ['ref', 'Git ref', 'Short name of the branch or tag the job runs for, e.g. main.'],
  ['ref_type', 'Ref type', 'Whether ref is a branch or a tag.'],
  ['ref_path', 'Ref path', 'Fully qualified ref of the job, e.g. refs/heads/main.'],
  ['ref_protected', 'Ref protected', '"true" when the branch or tag is protected.'],
  ['environment', 'Environment', 'Environment the job deploys to.'],
  ['environment_protected', 'Environment protected', '"true" when the environment is protected.'],
  [
    'deployment_tier',
    'Deployment tier',
    "Tier of the job's environment: production, staging, testing, development or other.",
  ],
  [
    'environment_action',
    'Environment action',
    "The job's environment action: start, prepare, stop, verify or access.",
  ],
  ['runner_id', 'Runner ID', 'ID of the runner executing the job.'],
  ['runner_environment', 'Runner environment', 'gitlab-hosted or self-hosted runner.'],
  ['sha', 'Commit SHA', 'Commit the job runs on.'],
  ['project_visibility', 'Project visibility', 'public, internal or private.'],
  [
    'ci_config_ref_uri',
    'CI config ref URI',
    'Where the top-level pipeline definition comes from, host/project//.gitlab-ci.yml@ref.',
  ],
  ['ci_config_sha', 'CI config SHA', 'Commit of the top-level pipeline definition.'],
  ['groups_direct', 'Direct groups', 'Paths of the groups the user is a direct member of.'],
]);

const GITHUB = catalogue('github', [
  ['iss', 'Issuer', "GitHub Actions' token service, https://token.actions.githubusercontent.com."],
  ['sub', 'Subject', 'repo:{owner}/{repo} then :ref:{ref}, :environment:{name} or :pull_request.'],
  ['aud', 'Audience', 'The audience the workflow asked for; by default the repository owner URL.'],
  ['repository', 'Repository', 'Repository running the workflow, owner/name.'],
  ['repository_id', 'Repository ID', 'Numeric id of the repository.'],
  ['repository_owner', 'Repository owner', 'User or organization owning the repository.'],
  ['repository_owner_id', 'Repository owner ID', 'Numeric id of the repository owner.'],
  ['repository_visibility', 'Repository visibility', 'public, private or internal.'],
  ['actor', 'Actor', 'User or app whose action started the workflow run.'],
  ['actor_id', 'Actor ID', 'Numeric id of the actor.'],
  ['workflow', 'Workflow', 'Name of the workflow.'],
  [
    'workflow_ref',
    'Workflow ref',
    'Workflow file and ref, owner/repo/.github/workflows/file.yml@ref.',
  ],
  ['workflow_sha', 'Workflow SHA', 'Commit of the workflow file.'],
  ['job_workflow_ref', 'Job workflow ref', 'Reusable workflow the job runs, path@ref.'],
  ['job_workflow_sha', 'Job workflow SHA', 'Commit of the reusable workflow the job runs.'],
  ['head_ref', 'Head ref', 'Source branch of the pull request (pull request events only).'],
  ['base_ref', 'Base ref', 'Target branch of the pull request (pull request events only).'],
  ['event_name', 'Event', 'Event that started the run: push, pull_request, workflow_dispatch...'],
  ['ref', 'Git ref', 'Fully qualified ref of the run, e.g. refs/heads/main or refs/pull/1/merge.'],
  ['ref_type', 'Ref type', 'Whether ref is a branch or a tag.'],
  ['ref_protected', 'Ref protected', '"true" when protection rules apply to the ref.'],
  ['run_id', 'Run ID', 'ID of the workflow run.'],
  ['run_number', 'Run number', 'How many times this workflow has run in the repository.'],
  ['run_attempt', 'Run attempt', 'Attempt number of this run (re-runs count up).'],
  ['runner_environment', 'Runner environment', 'github-hosted or self-hosted runner.'],
  ['environment', 'Environment', 'Deployment environment the job uses.'],
  ['environment_node_id', 'Environment node ID', 'GraphQL node id of the environment.'],
  ['sha', 'Commit SHA', 'Commit that started the workflow run.'],
  ['enterprise', 'Enterprise', 'Slug of the enterprise owning the repository.'],
  ['enterprise_id', 'Enterprise ID', 'Numeric id of the enterprise owning the repository.'],
  ['check_run_id', 'Check run ID', 'ID of the check run of the job.'],
]);

const YANDEX = catalogue('yandex', [
  [
    'iss',
    'Issuer',
    'Yandex Cloud token service (in a key-signed JWT for the IAM endpoint: the account id).',
  ],
  [
    'sub',
    'Subject',
    'ID of the Yandex Cloud service account the token was minted for (--subject-id).',
  ],
  [
    'aud',
    'Audience',
    'The --audience given to yc iam create-id-token; defaults to the service account id.',
  ],
  ['jti', 'JWT ID', 'Unique id of this Yandex Cloud token.'],
]);

const KUBERNETES = catalogue('kubernetes', [
  ['iss', 'Issuer', "The cluster's service account issuer (--service-account-issuer)."],
  ['sub', 'Subject', 'system:serviceaccount:{namespace}:{name} of the service account.'],
  ['aud', 'Audience', 'Audiences of the TokenRequest; by default the API server.'],
  [
    'kubernetes.io',
    'Kubernetes',
    'What the token is bound to: namespace, service account, pod, node, secret.',
  ],
  ['kubernetes.io.namespace', 'Namespace', 'Namespace of the service account.'],
  ['kubernetes.io.serviceaccount', 'Service account', 'The service account the token is for.'],
  ['kubernetes.io.serviceaccount.name', 'Service account name', 'Name of the service account.'],
  ['kubernetes.io.serviceaccount.uid', 'Service account UID', 'UID of the service account.'],
  ['kubernetes.io.pod', 'Pod', 'The pod the token is bound to; it dies with the pod.'],
  ['kubernetes.io.pod.name', 'Pod name', 'Name of the pod the token is bound to.'],
  ['kubernetes.io.pod.uid', 'Pod UID', 'UID of the pod the token is bound to.'],
  ['kubernetes.io.node', 'Node', 'The node the token is bound to.'],
  ['kubernetes.io.node.name', 'Node name', 'Name of the node the token is bound to.'],
  ['kubernetes.io.node.uid', 'Node UID', 'UID of the node the token is bound to.'],
  ['kubernetes.io.secret', 'Secret', 'The secret the token is bound to.'],
  ['kubernetes.io.secret.name', 'Secret name', 'Name of the secret the token is bound to.'],
  ['kubernetes.io.secret.uid', 'Secret UID', 'UID of the secret the token is bound to.'],
  [
    'kubernetes.io.warnafter',
    'Warn after',
    'After this time the API server logs a warning when this auto-extended token is used.',
  ],
  // Legacy secret-based tokens (issuer "kubernetes/serviceaccount") use flat, slashed names.
  ['kubernetes.io/serviceaccount/namespace', 'Namespace', 'Namespace of the service account.'],
  [
    'kubernetes.io/serviceaccount/secret.name',
    'Secret name',
    'Secret holding this legacy, non-expiring token.',
  ],
  [
    'kubernetes.io/serviceaccount/service-account.name',
    'Service account name',
    'Name of the service account.',
  ],
  [
    'kubernetes.io/serviceaccount/service-account.uid',
    'Service account UID',
    'UID of the service account.',
  ],
]);

const AWS = catalogue('aws', AWS_CLAIMS);

/** Claims several CI systems use with different meanings, for a token of no known family. */
export const SHARED_CI = catalogue('unknown', [
  [
    'ref',
    'Git ref',
    'Branch or tag of a CI job (GitLab: short name like main; GitHub: refs/heads/main).',
  ],
  ['ref_type', 'Ref type', 'Whether the CI ref is a branch or a tag.'],
  ['ref_protected', 'Ref protected', '"true" when the CI ref is protected.'],
  ['sha', 'Commit SHA', 'Commit of a CI job.'],
  ['environment', 'Environment', 'Deployment environment of a CI job.'],
  ['runner_environment', 'Runner environment', 'Whether the CI runner is hosted or self-hosted.'],
]);

export const GENERIC: ReadonlyMap<string, ClaimInfo> = new Map([...REGISTERED, ...OIDC]);

export const FAMILIES: ReadonlyMap<string, ReadonlyMap<string, ClaimInfo>> = new Map([
  ['google', GOOGLE],
  ['gitlab', GITLAB],
  ['github', GITHUB],
  ['yandex', YANDEX],
  ['kubernetes', KUBERNETES],
  ['aws', AWS],
  ...CI_AND_AZURE_FAMILIES,
]);
