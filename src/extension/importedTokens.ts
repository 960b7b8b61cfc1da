import * as vscode from 'vscode';
import { inspectToken } from '../core/jwt/inspect';
import type { Inspection } from '../core/jwt/types';
import type { SecretStore } from '../core/ports';

/** A token the user pasted into the tree (e.g. a GitLab CI job's ID token). */
export interface ImportedToken {
  readonly id: string;
  readonly token: string;
  readonly label: string;
  /** Kept across restarts (in SecretStorage) rather than for this session only. */
  readonly persisted: boolean;
}

const INDEX_KEY = 'importedTokens';
const secretName = (id: string) => `imported/${id}`;

/** A short label: who the token is for and from, e.g. "project_path:group/app… · gitlab.com". */
export function importedLabel(inspection: Inspection): string {
  const payload = inspection.payload ?? {};
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
  const iss = typeof payload.iss === 'string' ? payload.iss.replace(/^https?:\/\//, '') : undefined;
  const who = sub && sub.length > 48 ? `${sub.slice(0, 48)}…` : sub;
  return [who, iss].filter(Boolean).join(' · ') || 'token';
}

/**
 * Imported tokens: session-only in memory by default; persisted ones live in SecretStorage with
 * only their ids in global state.
 */
export class ImportedTokens implements vscode.Disposable {
  private readonly tokens = new Map<string, ImportedToken>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private counter = 0;

  constructor(
    private readonly secrets: SecretStore,
    private readonly state: vscode.Memento,
  ) {}

  /** Loads the persisted tokens (call once, after activation; failures leave them out). */
  async restore(): Promise<void> {
    for (const id of this.state.get<string[]>(INDEX_KEY, [])) {
      const token = await this.secrets.get(secretName(id)).catch(() => undefined);
      if (!token) continue;
      try {
        this.tokens.set(id, {
          id,
          token,
          label: importedLabel(inspectToken(token)),
          persisted: true,
        });
      } catch {
        // A stored value that no longer decodes is dropped from the tree, not shown broken.
      }
    }
    this.changed.fire();
  }

  list(): ImportedToken[] {
    return [...this.tokens.values()];
  }

  get(id: string): ImportedToken | undefined {
    return this.tokens.get(id);
  }

  /** Adds a token (already validated by the caller) and returns its entry. */
  async add(token: string, persist: boolean): Promise<ImportedToken> {
    const existing = this.list().find((t) => t.token === token);
    if (existing) return existing;
    const id = `${Date.now().toString(36)}-${++this.counter}`;
    const entry: ImportedToken = {
      id,
      token,
      label: importedLabel(inspectToken(token)),
      persisted: persist,
    };
    if (persist) {
      await this.secrets.store(secretName(id), token);
      await this.state.update(INDEX_KEY, [...this.state.get<string[]>(INDEX_KEY, []), id]);
    }
    this.tokens.set(id, entry);
    this.changed.fire();
    return entry;
  }

  async remove(id: string): Promise<void> {
    const entry = this.tokens.get(id);
    if (!entry) return;
    this.tokens.delete(id);
    if (entry.persisted) {
      await this.secrets.delete(secretName(id));
      await this.state.update(
        INDEX_KEY,
        this.state.get<string[]>(INDEX_KEY, []).filter((i) => i !== id),
      );
    }
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
