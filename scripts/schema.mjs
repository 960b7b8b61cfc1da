// `npm run schema`: writes the JSON schema of the tokenExplorer.accounts setting into package.json
// from the provider descriptors (src/core/providers/schema.ts). test/unit/core/providers/
// registry.test.ts fails while package.json differs from what this writes.
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'schema-'));
try {
  const outfile = join(dir, 'schema.cjs');
  await esbuild.build({
    entryPoints: ['src/core/providers/schema.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  const { ACCOUNTS_SETTING, accountsSchema } = createRequire(import.meta.url)(outfile);
  const text = readFileSync('package.json', 'utf8');
  const pkg = JSON.parse(text);
  pkg.contributes.configuration.properties[ACCOUNTS_SETTING] = accountsSchema();
  // package.json is kept ASCII: anything else is written as a \u escape, as it is now.
  const updated = `${JSON.stringify(pkg, null, 2)}\n`.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (updated === text) {
    console.log(`package.json: ${ACCOUNTS_SETTING} is up to date.`);
  } else {
    writeFileSync('package.json', updated);
    console.log(`package.json: ${ACCOUNTS_SETTING} rewritten from the provider descriptors.`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
