/** A trimmed, non-empty string setting, or undefined for anything else (settings.json is free-form). */
export function optionalString(value: unknown): string | undefined {
  return isNonBlankString(value) ? value.trim() : undefined;
}

/** `"name" must be text.` for each named setting that is present but not a string. */
export function nonTextSettings(
  settings: Readonly<Record<string, unknown>>,
  names: readonly string[],
): string[] {
  return names
    .filter((name) => settings[name] !== undefined && typeof settings[name] !== 'string')
    .map((name) => `"${name}" must be text.`);
}
import { TokenExplorerError } from '../errors';
import { isNonBlankString } from '../guards';
import type { Account } from './provider';

/**
 * Refuses an account whose settings have problems (from its provider's `validate`): throws
 * `bad-config` naming the account and listing them. The one wording of this failure.
 */
export function assertSettingsValid(problems: readonly string[], account: Account): void {
  if (problems.length > 0) {
    throw new TokenExplorerError(
      'bad-config',
      `The account "${account.name ?? account.id}" is not set up right: ${problems.join(' ')}`,
      { remedies: [{ kind: 'editAccountSettings' }] },
    );
  }
}
