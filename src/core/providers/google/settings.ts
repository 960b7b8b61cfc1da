import { TokenExplorerError } from '../../errors';
import type { Account } from '../provider';

/** An email address as the Google providers accept it in settings (no spaces or commas). */
export const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/**
 * Refuses to mint with an account whose settings have problems: throws `bad-config` listing them,
 * naming the account when `named` is given.
 */
export function assertSettingsValid(problems: readonly string[], named?: Account): void {
  if (problems.length > 0) {
    const which = named ? ` "${named.name ?? named.id}"` : '';
    throw new TokenExplorerError(
      'bad-config',
      `The account${which} is not set up right: ${problems.join(' ')}`,
    );
  }
}
