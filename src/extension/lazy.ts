// Entry of dist/lazy.js: everything that mints tokens or walks the user through accounts, in a
// bundle of its own that the extension requires on first use (adapters/lazy.ts), so opening
// VS Code, hovering a JWT or inspecting one never loads the providers, the wizard or js-yaml.
export { DEFAULT_TEMPLATE, LocalIssuer, parseTemplate } from '../core/localIssuer/issuer';
export {
  findInsertionPoint,
  idTokensBlock,
  listIdTokens,
  listJobs,
} from '../core/providers/gitlab/ciYaml';
export { createProviders } from '../core/providers/registry';
export { parseYaml } from '../core/yaml';
export { addAccount } from './commands/addAccount';
export { detectCredentials } from './commands/detectCredentials';
export { editAccount } from './commands/editAccount';
export { removeAccount } from './commands/removeAccount';
