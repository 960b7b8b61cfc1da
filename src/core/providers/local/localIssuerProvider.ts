import { isNonEmptyString, isRecord } from '../../guards';
import { decodeJwt } from 'jose';
import { TokenExplorerError } from '../../errors';
import type { LocalIssuer } from '../../localIssuer/issuer';
import type { Account, MintRequest, MintedToken, Provider, ProviderContext } from '../provider';

/** The `sub` of a local-issuer account without a `sub` setting. */
export const DEFAULT_LOCAL_SUB = 'test-user';

function settingProblems(settings: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const { sub, claims, expiresInSeconds } = settings;
  if (sub !== undefined && !isNonEmptyString(sub)) {
    problems.push('"sub" must be a non-empty string (the test user\'s id).');
  }
  if (claims !== undefined && !isRecord(claims)) {
    problems.push('"claims" must be an object of extra claims, like {"email": "…"}.');
  }
  if (expiresInSeconds !== undefined && !Number.isInteger(expiresInSeconds)) {
    problems.push('"expiresInSeconds" must be a whole number of seconds.');
  }
  return problems;
}

/**
 * The local issuer as an account kind: "Get ID token" signs with the running
 * {@link LocalIssuer}, the request audience as `aud`. Settings (all optional): `sub` (default
 * "test-user"), `claims` (extra claims; they cannot override `iss`) and `expiresInSeconds`.
 * @param getIssuer the issuer of this window, undefined until it is loaded.
 */
export function localIssuerProvider(getIssuer: () => LocalIssuer | undefined): Provider {
  return {
    kind: 'local-issuer',
    label: 'Local issuer',

    validate(account: Account): string[] {
      return settingProblems(account.settings);
    },

    describe(account: Account): string {
      const sub = account.settings.sub;
      return `${typeof sub === 'string' && sub !== '' ? sub : DEFAULT_LOCAL_SUB} (local issuer)`;
    },

    async mint(
      account: Account,
      request: MintRequest,
      context: ProviderContext,
    ): Promise<MintedToken> {
      const problems = settingProblems(account.settings);
      if (problems.length > 0) {
        throw new TokenExplorerError(
          'bad-config',
          `The local issuer account "${account.name ?? account.id}" has bad settings: ${problems.join(' ')}`,
        );
      }
      if (request.signal?.aborted) {
        throw new TokenExplorerError('cancelled', 'Getting the token was cancelled.');
      }
      const issuer = getIssuer();
      if (!issuer?.running) {
        throw new TokenExplorerError(
          'bad-config',
          'The local issuer is not running: start the local issuer first ("Token Explorer: Start local issuer"), then get the token again.',
        );
      }
      const { sub, claims, expiresInSeconds } = account.settings;
      const token = await issuer.mint(
        {
          aud: request.audience,
          sub: typeof sub === 'string' ? sub : DEFAULT_LOCAL_SUB,
          ...(typeof expiresInSeconds === 'number' ? { expiresInSeconds } : {}),
          ...(isRecord(claims) ? { claims } : {}),
        },
        context.clock,
      );
      return { token, expiresAt: (decodeJwt(token).exp ?? 0) * 1000 };
    },
  };
}
