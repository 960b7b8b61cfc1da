// Messages that wrap another message ("Listing failed: …", "(…).") must not double its closing
// punctuation (".)." or ".."): the wrapped text goes through asClause. One behavioural case per
// way of wrapping, and a scan of src/ so a new wrapping site cannot forget it.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { asClause, errorMessage } from '../../../src/core/errors';
import { networkStep } from '../../../src/core/http';
import { pickServiceAccount } from '../../../src/core/providers/google/wizardSteps';
import type { InputOptions, WizardPorts, WizardUi } from '../../../src/core/wizard';
import { testContext } from '../../helpers/context';

// out/test/unit/core → the repository.
const root = join(__dirname, '..', '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const DOUBLED = /[.!?…]\)[.)]|[.!?…]\.(?!\.)/;

describe('error texts that wrap another message', () => {
  it('asClause drops the closing full stops, and only those', () => {
    const cases: [string, string][] = [
      [
        'the host name could not be resolved (offline, or a typo in the URL).',
        'the host name could not be resolved (offline, or a typo in the URL)',
      ],
      ['Invalid JWT Signature.', 'Invalid JWT Signature'],
      ['  spaced out.  ', 'spaced out'],
      ['Really?!', 'Really'],
      ['and so on…', 'and so on'],
      ['version 1.2 is fine', 'version 1.2 is fine'],
      ['', ''],
      ['...', ''],
    ];
    for (const [input, expected] of cases) assert.equal(asClause(input), expected, input);
    // A hostile run of dots is read once (no regular expression that backtracks).
    assert.equal(asClause(`x${'.'.repeat(200_000)}`), 'x');
    assert.equal(asClause(`${'.'.repeat(200_000)}x`).length, 200_001);
  });

  it('a network failure whose cause ends in "." is not worded with ".."', async () => {
    const failure = Object.assign(new TypeError('fetch failed'), {
      cause: { message: 'getaddrinfo failed.' },
    });
    await assert.rejects(
      networkStep(
        () => Promise.reject(failure),
        (reason) => `Could not reach https://iam.example/v1: ${reason}.`,
      ),
      (error: Error) => {
        assert.equal(error.message, 'Could not reach https://iam.example/v1: getaddrinfo failed.');
        return true;
      },
    );
  });

  it('"Listing failed" quotes the listing error as one sentence (the newcomer\'s ".)." )', async () => {
    const prompts: string[] = [];
    const ui = {
      input: async (options: InputOptions) => {
        prompts.push(options.prompt ?? '');
        return prompts.length === 1 ? 'demo-project' : undefined;
      },
      busy: <T>(_title: string, task: (signal: AbortSignal) => Promise<T>) =>
        task(new AbortController().signal),
    } as unknown as WizardUi;
    const ports = { ui, context: testContext() } as unknown as WizardPorts;
    const unreachable = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ENOTFOUND' },
    });
    const lister = () =>
      networkStep(
        () => Promise.reject(unreachable),
        (reason) =>
          `Could not reach https://iam.example/v1/projects/demo-project/serviceAccounts: ${reason}.`,
      );
    await pickServiceAccount(ports, 'Add account', undefined, lister);
    const prompt = prompts[1] ?? '';
    assert.match(
      prompt,
      /^Listing failed: Could not reach .*\(offline, or a typo in the URL\)\. Type the service account's email\.$/,
    );
    assert.doesNotMatch(prompt, DOUBLED);
  });

  it('no source wraps errorMessage(…) right before "." or ")" without asClause', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\$\{errorMessage\([^()]*\)\}[.)]/g)) {
        const line = text.slice(0, match.index).split('\n').length;
        offenders.push(`${file.slice(root.length + 1)}:${line}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('wrapped messages read as one sentence for inner messages ending in any punctuation', () => {
    for (const inner of [
      'plain',
      'with a stop.',
      'in parentheses (here).',
      'asked?',
      'and so on…',
    ]) {
      const wrapped = `The key is not valid JSON (${asClause(errorMessage(new Error(inner)))}).`;
      assert.doesNotMatch(wrapped, DOUBLED, wrapped);
    }
  });
});
