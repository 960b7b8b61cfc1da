import type { Account, ProviderKind } from './providers/provider';
import { PROVIDERS, PROVIDER_KINDS, isProviderKind } from './providers/registry';

export { PROVIDER_KINDS };

/**
 * Kinds whose tokens get a sensible audience when none is asked for (each descriptor says why).
 */
export const AUDIENCE_OPTIONAL: ReadonlySet<ProviderKind> = new Set(
  PROVIDERS.filter((p) => p.audienceOptional).map((p) => p.kind),
);

/** The result of reading the accounts setting: the usable accounts and what was wrong with the rest. */
export interface ParsedAccounts {
  readonly accounts: readonly Account[];
  readonly problems: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads the `tokenExplorer.accounts` setting (anything a user may have typed) into accounts,
 * skipping entries that cannot be used and saying why, so one typo never hides the others.
 */
export function parseAccounts(raw: unknown): ParsedAccounts {
  if (raw === undefined || raw === null) return { accounts: [], problems: [] };
  if (!Array.isArray(raw)) {
    return { accounts: [], problems: ['tokenExplorer.accounts must be an array of accounts.'] };
  }
  const accounts: Account[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  raw.forEach((item: unknown, index) => {
    const where = `tokenExplorer.accounts[${index}]`;
    if (!isRecord(item)) {
      problems.push(`${where} is not an object.`);
      return;
    }
    const { id, kind, name, defaultAudience, settings } = item;
    if (typeof id !== 'string' || id.trim() === '') {
      problems.push(`${where} has no "id".`);
      return;
    }
    if (ids.has(id)) {
      problems.push(`${where}: the id "${id}" is used twice; the second one is ignored.`);
      return;
    }
    if (!isProviderKind(kind)) {
      problems.push(
        `${where} ("${id}"): unknown "kind" ${JSON.stringify(kind)}; expected one of ${PROVIDER_KINDS.join(', ')}.`,
      );
      return;
    }
    ids.add(id);
    accounts.push({
      id,
      kind,
      ...(typeof name === 'string' && name !== '' ? { name } : {}),
      ...(typeof defaultAudience === 'string' && defaultAudience !== '' ? { defaultAudience } : {}),
      settings: isRecord(settings) ? settings : {},
    });
  });
  return { accounts, problems };
}

/** A new account id from a readable base, unique among `taken`. */
export function newAccountId(base: string, taken: ReadonlySet<string>): string {
  const slug =
    base
      .toLowerCase()
      .replace(/@.*$/, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'account';
  if (!taken.has(slug)) return slug;
  for (let n = 2; ; n++) if (!taken.has(`${slug}-${n}`)) return `${slug}-${n}`;
}
