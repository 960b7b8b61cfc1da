// The mocha runner VS Code's extension host loads from extensionTestsPath and awaits run(),
// under @vscode/test-electron and under code-server alike (scripts/lib/hostTests.mjs).
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

/** Every *.test.js file under dir, in a stable order. */
function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return findTests(path);
      return entry.name.endsWith('.test.js') ? [path] : [];
    });
}

export async function run(): Promise<void> {
  // The spec reporter writes through console.log, which both backends forward to the runner.
  // TOKEN_EXPLORER_TEST_GREP runs only the matching tests (while developing one suite).
  const grep = process.env.TOKEN_EXPLORER_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 20000, ...(grep ? { grep } : {}) });
  const files = findTests(__dirname);
  for (const file of files) mocha.addFile(file);
  // scripts/lib/hostTests.mjs forwards the code-server console from this line on.
  console.log(`Running ${files.length} extension-host test file(s) in VS Code ${vscode.version}`);
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
