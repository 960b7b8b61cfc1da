// Entry of dist/yaml.js: the YAML parser in a bundle of its own, loaded only when a kubeconfig,
// a yc config or a .gitlab-ci.yml is read (see adapters/yaml.ts), so activation never pays for it.
import { DEFAULT_SCHEMA, Type, load } from 'js-yaml';

// GitLab's `!reference [job, key]` tag: kept as data so pipelines that use it still parse.
const reference = new Type('!reference', {
  kind: 'sequence',
  construct: (data: unknown) => ({ '!reference': data }),
});
const schema = DEFAULT_SCHEMA.extend([reference]);

/** Parses YAML into plain data (no tags that run code exist in js-yaml 4's schemas). */
export function parseYaml(text: string): unknown {
  return load(text, { json: true, schema });
}
