import { createRequire } from 'node:module';
import { join } from 'node:path';

type Parse = (text: string) => unknown;
let parse: Parse | undefined;

/**
 * Parses YAML with js-yaml from dist/yaml.js, required on first use: the parser is a quarter of
 * the extension's size and most sessions never read YAML.
 */
export function parseYaml(text: string): unknown {
  parse ??= (createRequire(__filename)(join(__dirname, 'yaml.js')) as { parseYaml: Parse })
    .parseYaml;
  return parse(text);
}
