import type { LocalIssuer } from '../localIssuer/issuer';
import type { DetectPorts, DetectedCredential, WizardStep } from '../wizard';
import type { Provider } from './provider';

/** A JSON schema fragment as VS Code reads it in `contributes.configuration`. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** What a provider may need from the composition root when it is created. */
export interface ProviderDeps {
  /** The local issuer of this window, undefined until it is loaded. */
  readonly localIssuer: () => LocalIssuer | undefined;
}

/**
 * Everything the extension knows about one token source, in one place: the registry lists these,
 * and the wizard, the accounts tree, the settings parser and the settings JSON schema
 * (`npm run schema`) read them. Every field is required, so a kind that lacks a piece does not
 * compile.
 */
export interface ProviderDescriptor<K extends string = string> {
  /** The `kind` of accounts in the `tokenExplorer.accounts` setting. */
  readonly kind: K;
  /** Shown as the provider's name, e.g. "Google Cloud: metadata server" (equals the provider's). */
  readonly label: string;
  /** Codicon id (without `$()`) of the kind's accounts in the tree and the wizard. */
  readonly icon: string;
  /** The tree group the kind's accounts are shown under. */
  readonly group: { readonly id: string; readonly label: string };
  /**
   * True when tokens get a sensible audience without one (the OAuth client id, the service-account
   * id, the API server's audience, the repository owner, the one fixed in .gitlab-ci.yml).
   */
  readonly audienceOptional: boolean;
  /**
   * The audience this kind's tokens get when none is asked for, as the audience questions say it
   * ("the organization id"); every audience-optional kind has one (a unit test checks).
   */
  readonly defaultAudienceIs?: string;
  /**
   * True when the services that take this kind's tokens mostly compare the audience with their
   * URL (Cloud Run, Cloud Functions): an audience typed without a scheme gets a warning, not a
   * refusal (IAP's audience is an OAuth client id).
   */
  readonly audienceExpectsUrl?: boolean;
  /**
   * What the kind mints when it is not an OIDC ID token: "access token" (an OAuth access token
   * for one resource, e.g. Azure's). The UI then says so wherever it says "ID token" for the
   * others. Absent: ID tokens.
   */
  readonly tokenType?: 'access token';
  /**
   * How the audience questions speak of this kind's audience, where the generic text (a service
   * URL, or "the token's default") would mislead. Absent: the generic text.
   */
  readonly audienceText?: AudienceText;
  /** The kind's row in the wizard's first pick list (the icon is prefixed). */
  readonly pick: { readonly label: string; readonly description: string; readonly detail: string };
  /** The kind's settings as JSON schema: description (of the kind) and settings properties. */
  readonly schema: {
    readonly description: string;
    readonly settings: Readonly<Record<string, JsonSchema>>;
  };
  /** Makes the provider that mints, validates and describes accounts of this kind. */
  create(deps: ProviderDeps): Provider;
  /** The kind-specific steps of the Add Account wizard, run in order (may be empty). */
  readonly wizard: readonly WizardStep[];
  /** Existing credentials of this kind on this machine, for Detect Credentials (may be none). */
  detect(ports: DetectPorts): Promise<readonly DetectedCredential[]>;
}

/** A kind's own wording of the audience questions (Add Account's and Get ID Token's). */
export interface AudienceText {
  /** Add Account's default-audience question: its prompt and example. */
  readonly prompt: string;
  readonly placeHolder: string;
  /** Get ID Token's row for "no audience" (audience-optional kinds only). */
  readonly none?: string;
  /** False when the audience is not the caller's choice (a token file): no presets offered. */
  readonly presets?: false;
}

/** A detector for kinds that find nothing by themselves. */
export async function detectNothing(): Promise<readonly DetectedCredential[]> {
  return [];
}
