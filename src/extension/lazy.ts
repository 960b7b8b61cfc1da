// Entry of dist/lazy.js: everything that mints tokens or walks the user through accounts, in a
// bundle of its own that the extension requires on first use (adapters/lazy.ts), so opening
// VS Code, hovering a JWT or inspecting one never loads the providers, the wizard or js-yaml.
import { DEFAULT_SCHEMA, Type, load } from 'js-yaml';

export { DEFAULT_TEMPLATE, LocalIssuer, parseTemplate } from '../core/localIssuer/issuer';
export {
  findInsertionPoint,
  idTokensBlock,
  listIdTokens,
  listJobs,
} from '../core/providers/gitlab/ciYaml';
export { createProviders } from '../core/providers/registry';
export { checkTrust } from '../core/trust/check';
export { addAccount, detectCredentials, editAccount, removeAccount } from './commands/accounts';

// GitLab's `!reference [job, key]` tag: kept as data so pipelines that use it still parse.
const reference = new Type('!reference', {
  kind: 'sequence',
  construct: (data: unknown) => ({ '!reference': data }),
});
const schema = DEFAULT_SCHEMA.extend([reference]);

/** Parses YAML (kubeconfig, .gitlab-ci.yml) into plain data; js-yaml 4 runs no code for tags. */
export function parseYaml(text: string): unknown {
  return load(text, { json: true, schema });
}
