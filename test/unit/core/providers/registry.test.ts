import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AUDIENCE_OPTIONAL, parseAccounts } from '../../../../src/core/accounts';
import type { ProviderDescriptor } from '../../../../src/core/providers/descriptor';
import {
  PROVIDERS,
  PROVIDER_KINDS,
  createProviders,
  descriptorOf,
  isProviderKind,
} from '../../../../src/core/providers/registry';
import { ACCOUNTS_SETTING, accountsSchema } from '../../../../src/core/providers/schema';

const root = join(__dirname, '..', '..', '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The codicon names @vscode/codicons ships (the tree and the wizard show them). */
function codiconNames(): Set<string> {
  const mapping = JSON.parse(
    readFileSync(join(root, 'node_modules/@vscode/codicons/src/template/mapping.json'), 'utf8'),
  ) as Record<string, string[]>;
  return new Set(Object.values(mapping).flat());
}

describe('provider registry', () => {
  it('lists each kind once, in the order of PROVIDER_KINDS', () => {
    assert.equal(new Set(PROVIDER_KINDS).size, PROVIDERS.length);
    assert.deepEqual(
      PROVIDER_KINDS,
      PROVIDERS.map((p) => p.kind),
    );
    for (const kind of PROVIDER_KINDS) {
      assert.ok(isProviderKind(kind));
      assert.equal(descriptorOf(kind).kind, kind);
    }
    assert.ok(!isProviderKind('aws'));
    assert.ok(!isProviderKind(undefined));
  });

  describe('each descriptor is complete and consistent', () => {
    const providers = createProviders(() => undefined);
    const icons = codiconNames();
    const groups = new Map<string, string>();
    for (const descriptor of PROVIDERS as readonly ProviderDescriptor[]) {
      it(descriptor.kind, async () => {
        const provider = providers.get(descriptor.kind as (typeof PROVIDER_KINDS)[number]);
        assert.ok(provider, 'createProviders makes its provider');
        assert.equal(provider.kind, descriptor.kind);
        assert.equal(provider.label, descriptor.label);
        assert.ok(icons.has(descriptor.icon), `"${descriptor.icon}" is not a codicon`);
        for (const text of [descriptor.label, ...Object.values(descriptor.pick)]) {
          assert.ok(text.trim().length > 0);
          assert.doesNotMatch(text, /\$\(/, 'the icon is added from `icon`');
        }
        assert.match(descriptor.group.id, /^[a-z]+$/);
        const label = groups.get(descriptor.group.id) ?? descriptor.group.label;
        assert.equal(descriptor.group.label, label, 'one label per tree group');
        groups.set(descriptor.group.id, label);
        assert.equal(typeof descriptor.audienceOptional, 'boolean');
        assert.ok(descriptor.schema.description.trim().length > 0);
        for (const [name, property] of Object.entries(descriptor.schema.settings)) {
          assert.equal(typeof property.type, 'string', `settings.${name} has a type`);
        }
        assert.ok(descriptor.wizard.every((step) => typeof step === 'function'));
        // A bare account of the kind passes through the settings parser as that kind.
        const parsed = parseAccounts([{ id: 'a', kind: descriptor.kind }]);
        assert.deepEqual(parsed.problems, []);
        assert.equal(parsed.accounts[0]?.kind, descriptor.kind);
      });
    }
  });

  it('keeps the kinds whose audience may be left out', () => {
    assert.deepEqual([...AUDIENCE_OPTIONAL].sort(), [
      'azure-pipelines',
      'bitbucket-pipelines',
      'buildkite-oidc',
      'circleci-oidc',
      'github-actions',
      'gitlab-ci',
      'google-gcloud',
      'google-user',
      'kubernetes',
      'token-file',
      'yandex-cli',
    ]);
  });

  it('matches the tokenExplorer.accounts schema in package.json (run `npm run schema`)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, unknown> } };
    };
    assert.deepEqual(
      pkg.contributes.configuration.properties[ACCOUNTS_SETTING],
      accountsSchema(),
      'package.json is out of date: run `npm run schema`',
    );
  });

  it('is the only place outside a provider folder that names a kind', () => {
    const providersDir = join(root, 'src/core/providers');
    /** Where a file names `kind`: a one-word kind ("kubernetes") is also an issuer family or a
     * tool's name elsewhere, so only `kind: '…'` / `kind === '…'` count for it. */
    const names = (text: string, kind: string) =>
      kind.includes('-')
        ? text.includes(`'${kind}'`)
        : new RegExp(`kind\\W{1,6}'${kind}'`).test(text);
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const [home, ...rest] = relative(providersDir, file).split(/[/\\]/);
      const folder = rest.length > 0 && home !== '..' ? join(providersDir, home ?? '') : undefined;
      for (const kind of PROVIDER_KINDS) {
        if (!names(text, kind)) continue;
        const own =
          folder !== undefined &&
          sourceFiles(folder).some((f) => readFileSync(f, 'utf8').includes(`kind: '${kind}'`));
        if (!own) offenders.push(`${relative(root, file)}: '${kind}'`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});

// A descriptor that lacks a piece (here its wizard steps and detector) does not compile.
// @ts-expect-error the descriptor is incomplete
export const incomplete: ProviderDescriptor<'incomplete'> = {
  kind: 'incomplete',
  label: 'Incomplete',
  icon: 'beaker',
  group: { id: 'local', label: 'Local issuer' },
  audienceOptional: false,
  pick: { label: 'Incomplete', description: 'lacks pieces', detail: 'does not compile' },
  schema: { description: 'Incomplete', settings: {} },
  create: () => {
    throw new Error('never made');
  },
};
