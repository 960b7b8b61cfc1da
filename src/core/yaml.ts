import { DEFAULT_SCHEMA, Type, load } from 'js-yaml';

// GitLab's `!reference [job, key]` tag (https://docs.gitlab.com/ci/yaml/yaml_optimization/#reference-tags):
// kept as data so pipelines that use it still parse.
const reference = new Type('!reference', {
  kind: 'sequence',
  construct: (data: unknown) => ({ '!reference': data }),
});
const schema = DEFAULT_SCHEMA.extend([reference]);

/**
 * Parses YAML (kubeconfig, .gitlab-ci.yml) into plain data; js-yaml 4 runs no code for tags.
 * Throws js-yaml's YAMLException (with `mark.line`) on a syntax error.
 */
export function parseYaml(text: string): unknown {
  return load(text, { json: true, schema });
}
