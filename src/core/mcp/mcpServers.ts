import { TOKEN_HEADERS } from '../proxy/loopback';
import type { TokenHeader } from '../proxy/loopback';

/** One MCP server the user declared (setting `tokenExplorer.mcpServers`), validated. */
export interface McpServerEntry {
  /** Shown in VS Code's MCP server list; unique among the entries. */
  readonly label: string;
  /** The Streamable HTTP endpoint, http(s). */
  readonly url: URL;
  /** Id or name of the Token Explorer account whose ID token authenticates. */
  readonly account: string;
  /** The token's audience; default the URL's origin (what Cloud Run IAM expects). */
  readonly audience: string;
  readonly header: TokenHeader;
}

export interface ParsedMcpServers {
  readonly servers: readonly McpServerEntry[];
  /** One sentence per entry that was skipped, naming it and what to fix. */
  readonly problems: readonly string[];
}

/** Parses the setting's value; bad entries are skipped with a problem, good ones kept. */
export function parseMcpServers(value: unknown): ParsedMcpServers {
  if (value === undefined || value === null) return { servers: [], problems: [] };
  if (!Array.isArray(value)) {
    return { servers: [], problems: ['tokenExplorer.mcpServers must be a list of servers.'] };
  }
  const servers: McpServerEntry[] = [];
  const problems: string[] = [];
  value.forEach((raw: unknown, index) => {
    const where = `tokenExplorer.mcpServers[${index}]`;
    if (typeof raw !== 'object' || raw === null) {
      problems.push(`${where} is not an object with label, url and account.`);
      return;
    }
    const entry = raw as Record<string, unknown>;
    const text = (name: string) =>
      typeof entry[name] === 'string' ? (entry[name] as string).trim() : '';
    const label = text('label');
    const account = text('account');
    const header = entry.header === undefined ? 'Authorization' : entry.header;
    let url: URL | undefined;
    try {
      url = new URL(text('url'));
    } catch {
      url = undefined;
    }
    const missing = [!label && 'label', !account && 'account'].filter(Boolean);
    if (missing.length > 0) {
      problems.push(`${where} lacks ${missing.join(' and ')}.`);
    } else if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      problems.push(`${where} ("${label}"): url must be an http or https URL.`);
    } else if (!TOKEN_HEADERS.includes(header as TokenHeader)) {
      problems.push(`${where} ("${label}"): header must be one of ${TOKEN_HEADERS.join(', ')}.`);
    } else if (servers.some((s) => s.label === label)) {
      problems.push(`${where}: another server is already labelled "${label}".`);
    } else {
      servers.push({
        label,
        url,
        account,
        audience: text('audience') || url.origin,
        header: header as TokenHeader,
      });
    }
  });
  return { servers, problems };
}

/**
 * When to tell VS Code the definitions changed so that it resolves a fresh token: when the token
 * cache starts refreshing (eagerRefreshMs before `expiresAt`), never in the past. Milliseconds
 * from `now`.
 */
export function refreshDelayMs(expiresAt: number, now: number, eagerRefreshMs: number): number {
  return Math.max(0, expiresAt - eagerRefreshMs - now);
}
