import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CommandId } from '../../src/extension/commands/commandId';

const root = join(__dirname, '..', '..', '..');
const COMMAND_ID_MODULE = join('src', 'extension', 'commands', 'commandId.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[] };
};
const contributed = pkg.contributes.commands.map((c) => c.command);
const declared = Object.values(CommandId) as string[];

describe('CommandId', () => {
  it('declares every command package.json contributes, and only those', () => {
    assert.deepEqual([...declared].sort(), [...contributed].sort());
    assert.equal(new Set(declared).size, declared.length);
  });

  it('names each id after its member (InspectJwt = tokenExplorer.inspectJwt)', () => {
    for (const [member, id] of Object.entries(CommandId)) {
      assert.equal(id, `tokenExplorer.${member[0]?.toLowerCase()}${member.slice(1)}`);
    }
  });

  it('is imported by nothing-importing code: the module has no imports', () => {
    const text = readFileSync(join(root, COMMAND_ID_MODULE), 'utf8');
    assert.doesNotMatch(text, /^\s*(import|export .* from)\b/m);
  });

  it('is the only place in src that spells out a command id', () => {
    const ids = new Set([...declared, ...contributed]);
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      const path = relative(root, file);
      if (path === COMMAND_ID_MODULE) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          // Comments may name a command for the reader.
          if (/^\s*(\/\/|\/?\*)/.test(line)) return;
          for (const [found] of line.matchAll(/tokenExplorer\.[A-Za-z]+\b(?!\.)/g)) {
            if (ids.has(found)) offenders.push(`${path}:${index + 1}: ${found}`);
          }
        });
    }
    assert.deepEqual(offenders, []);
  });
});
