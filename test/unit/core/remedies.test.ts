// Which remedies each failure carries, and which of them a place can offer. The provider checks
// run the real failure: a missing executable, a closed port, a missing or broken kubeconfig, a
// key missing from the secret storage; grants are checked beside each provider's 403 test.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenExplorerError } from '../../../src/core/errors';
import { nodeProcessRunner } from '../../../src/core/node/processRunner';
import { customCommandProvider } from '../../../src/core/providers/custom/command';
import { metadataProvider } from '../../../src/core/providers/google/metadata';
import { loadKubeconfig } from '../../../src/core/providers/kubernetes/kubeconfig';
import { resolveContext } from '../../../src/core/providers/kubernetes/resolveContext';
import { mintWithKubectl } from '../../../src/core/providers/kubernetes/kubectlMethod';
import { readKubernetesSettings } from '../../../src/core/providers/kubernetes/kubernetesSettings';
import { yandexCliProvider } from '../../../src/core/providers/yandex/yc';
import { assertSettingsValid } from '../../../src/core/providers/settings';
import { parseYaml } from '../../../src/core/yaml';
import {
  type Remedy,
  MAX_REMEDY_BUTTONS,
  applicableRemedies,
  remediesFor,
  remedyLabel,
  withRemedies,
} from '../../../src/core/remedies';
import { testContext } from '../../helpers/context';
import { rejectsWith } from '../helpers/assertions';

const ALL: readonly Remedy[] = [
  { kind: 'pickExecutable', tool: 'gcloud', setting: 'tokenExplorer.gcloud.path' },
  { kind: 'openSetting', key: 'tokenExplorer.gcloud.path' },
  { kind: 'reimportKey' },
  { kind: 'pickKubeconfig' },
  { kind: 'openFile', path: '/home/me/.kube/config' },
  { kind: 'switchMethod' },
  { kind: 'setAccountSetting', key: 'method', value: 'api', label: 'Use the API Method' },
  { kind: 'editAccountSettings' },
  { kind: 'retry' },
  { kind: 'addAnyway' },
  { kind: 'copyCommand', command: 'gcloud auth login', label: 'Copy Command' },
  { kind: 'copyText', text: 'permissions:\n', label: 'Copy Permissions', pasteInto: 'a workflow' },
  { kind: 'openUrl', url: 'https://example.com/install', label: 'Install Guide' },
];

describe('remedies', () => {
  describe('remediesFor', () => {
    it('takes the remedies the failing code attached', () => {
      const error = new TokenExplorerError('bad-credentials', 'lost', {
        remedies: [{ kind: 'reimportKey' }],
      });
      assert.deepEqual(remediesFor(error), [{ kind: 'reimportKey' }]);
    });

    it('finds them on a cause when the outer error has none', () => {
      const inner = new TokenExplorerError('cli-not-found', 'gone', {
        remedies: [{ kind: 'switchMethod' }],
      });
      const outer = new TokenExplorerError('cli-failed', 'wrapped', { cause: inner });
      assert.deepEqual(remediesFor(outer), [{ kind: 'switchMethod' }]);
    });

    it('offers Retry for passing failures only', () => {
      assert.deepEqual(remediesFor(new TokenExplorerError('network', 'reset')), [
        { kind: 'retry' },
      ]);
      assert.deepEqual(remediesFor(new TokenExplorerError('timeout', 'slow')), [{ kind: 'retry' }]);
      assert.deepEqual(
        remediesFor(new TokenExplorerError('http-status', 'The server is busy; try again.')),
        [{ kind: 'retry' }],
      );
      assert.deepEqual(remediesFor(new TokenExplorerError('http-status', 'HTTP 404')), []);
      assert.deepEqual(remediesFor(new TokenExplorerError('cancelled', 'by you')), []);
      assert.deepEqual(remediesFor(new TokenExplorerError('bad-config', 'wrong')), []);
      assert.deepEqual(remediesFor(new Error('a bug')), []);
      assert.deepEqual(remediesFor('text'), []);
    });

    it('withRemedies keeps code and message, and leaves other codes alone', () => {
      const timeout = new TokenExplorerError('timeout', 'slow');
      const fixed = withRemedies(timeout, [{ kind: 'switchMethod' }], ['timeout']);
      assert.ok(fixed instanceof TokenExplorerError);
      assert.equal(fixed.code, 'timeout');
      assert.equal(fixed.message, 'slow');
      assert.equal(fixed.cause, timeout);
      assert.deepEqual(remediesFor(fixed), [{ kind: 'switchMethod' }]);
      const other = new TokenExplorerError('bad-response', 'odd');
      assert.equal(withRemedies(other, [{ kind: 'switchMethod' }], ['timeout']), other);
      const bug = new TypeError('x');
      assert.equal(withRemedies(bug, [{ kind: 'retry' }]), bug);
    });
  });

  describe('applicableRemedies', () => {
    const everything = (place: Parameters<typeof applicableRemedies>[1]) =>
      applicableRemedies(ALL, place).length === 0
        ? []
        : ALL.filter((r) => applicableRemedies([r], place).length === 1).map((r) => r.kind);

    it('without an account: nothing that changes an account', () => {
      assert.deepEqual(everything({ canRetry: false, inWizard: false }), [
        'pickExecutable',
        'openSetting',
        'openFile',
        'copyCommand',
        'copyText',
        'openUrl',
      ]);
    });

    it('Re-import Key only for a service-account-key account, Add Anyway only in a wizard', () => {
      assert.deepEqual(
        everything({ account: { keyFile: false }, canRetry: true, inWizard: false }),
        [
          'pickExecutable',
          'openSetting',
          'pickKubeconfig',
          'openFile',
          'switchMethod',
          'setAccountSetting',
          'editAccountSettings',
          'retry',
          'copyCommand',
          'copyText',
          'openUrl',
        ],
      );
      const keyed = everything({
        account: { keyFile: true },
        canRetry: false,
        inWizard: true,
      });
      assert.ok(keyed.includes('reimportKey'));
      assert.ok(keyed.includes('addAnyway'));
      assert.ok(!keyed.includes('retry'));
    });

    it('keeps the order, drops duplicate buttons and stops at the notification limit', () => {
      const kept = applicableRemedies(
        [
          { kind: 'retry' },
          { kind: 'retry' },
          { kind: 'copyCommand', command: 'a', label: 'Copy Command' },
          { kind: 'copyCommand', command: 'b', label: 'Copy Command' },
          { kind: 'openSetting', key: 'k' },
          { kind: 'openUrl', url: 'https://x', label: 'Install Guide' },
        ],
        { canRetry: true, inWizard: false },
      );
      assert.equal(kept.length, MAX_REMEDY_BUTTONS);
      assert.deepEqual(kept.map(remedyLabel), ['Retry', 'Copy Command', 'Open Setting']);
    });

    it('every remedy has a button text', () => {
      const labels = ALL.map(remedyLabel);
      assert.equal(new Set(labels).size, labels.length);
      assert.ok(
        labels.every((l) => l.length > 0 && l.length < 30),
        labels.join(', '),
      );
      assert.equal(
        remedyLabel({ kind: 'openFile', path: 'C:\\Users\\me\\kube.yaml' }),
        'Open kube.yaml',
      );
    });
  });

  describe('what each provider failure carries', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'remedies-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('yc not found: pick yc, its setting, the install page', async () => {
      const context = testContext({ runner: nodeProcessRunner, homeDir: dir });
      const error = await rejectsWith(
        yandexCliProvider.mint(
          { id: 'y', kind: 'yandex-cli', settings: { serviceAccountId: 'aje0123456789abcdefg' } },
          { audience: '' },
          { ...context, ycPath: join(dir, 'no-yc') },
        ),
        'cli-not-found',
      );
      assert.deepEqual(remediesFor(error).map(remedyLabel), [
        'Pick yc…',
        'Open Setting',
        'Install Guide',
      ]);
    });

    it('kubectl not found: pick kubectl, or switch the account to the API method', async () => {
      const context = testContext({ runner: nodeProcessRunner, homeDir: dir });
      const settings = readKubernetesSettings({
        id: 'k',
        kind: 'kubernetes',
        settings: {
          method: 'kubectl',
          serviceAccount: 'builder',
          kubectlPath: join(dir, 'no-kubectl'),
        },
      });
      const error = await rejectsWith(
        mintWithKubectl(settings, 600, { audience: 'x' }, context),
        'cli-not-found',
      );
      assert.deepEqual(remediesFor(error), [
        { kind: 'pickExecutable', tool: 'kubectl', setting: 'tokenExplorer.kubectl.path' },
        { kind: 'setAccountSetting', key: 'method', value: 'api', label: 'Use the API Method' },
        {
          kind: 'openUrl',
          url: 'https://kubernetes.io/docs/tasks/tools/',
          label: 'Install Guide',
        },
      ]);
    });

    it('metadata server unreachable: retry, another method, or its endpoint', async () => {
      const error = await rejectsWith(
        metadataProvider.mint(
          { id: 'm', kind: 'google-metadata', settings: { endpoint: '127.0.0.1:9' } },
          { audience: 'https://x.run.app' },
          testContext({ timeoutMs: 3000 }),
        ),
        'network',
      );
      assert.deepEqual(
        remediesFor(error).map((r) => r.kind),
        ['retry', 'switchMethod', 'editAccountSettings'],
      );
    });

    it('no kubeconfig: pick one; a named one missing: pick one', async () => {
      const context = {
        ...testContext({ homeDir: dir, env: { KUBECONFIG: undefined } }),
        parseYaml,
      };
      const none = await rejectsWith(loadKubeconfig(context), 'bad-config', /No kubeconfig/);
      assert.deepEqual(remediesFor(none), [{ kind: 'pickKubeconfig' }]);
      const named = await rejectsWith(
        loadKubeconfig(context, { path: join(dir, 'gone.yaml') }),
        'bad-config',
      );
      assert.deepEqual(remediesFor(named), [{ kind: 'pickKubeconfig' }]);
    });

    it('a broken kubeconfig: open it; an unknown context: the account settings or the file', async () => {
      const context = { ...testContext({ homeDir: dir }), parseYaml };
      const broken = join(dir, 'broken.yaml');
      writeFileSync(broken, 'clusters: {a: 1}\n');
      const bad = await rejectsWith(loadKubeconfig(context, { path: broken }), 'bad-config');
      assert.deepEqual(remediesFor(bad), [{ kind: 'openFile', path: broken }]);

      const good = join(dir, 'config.yaml');
      writeFileSync(good, 'contexts: []\nclusters: []\nusers: []\ncurrent-context: gone\n');
      const config = await loadKubeconfig(context, { path: good });
      let error: unknown;
      try {
        resolveContext(config, 'gone');
      } catch (thrown) {
        error = thrown;
      }
      assert.ok(error instanceof TokenExplorerError && /"gone" is not in/.test(error.message));
      assert.deepEqual(remediesFor(error), [
        { kind: 'editAccountSettings' },
        { kind: 'openFile', path: good },
      ]);
    });

    it('custom command not found: open the account settings, where the command is', async () => {
      const error = await rejectsWith(
        customCommandProvider.mint(
          { id: 'c', kind: 'custom-command', settings: { command: [join(dir, 'no-tool')] } },
          { audience: 'x' },
          testContext({ runner: nodeProcessRunner }),
        ),
        'cli-not-found',
      );
      assert.deepEqual(remediesFor(error), [{ kind: 'editAccountSettings' }]);
    });

    it('settings that are not right: open the account settings', () => {
      let error: unknown;
      try {
        assertSettingsValid(['"x" must be text.'], {
          id: 'a',
          kind: 'google-gcloud',
          settings: {},
        });
      } catch (thrown) {
        error = thrown;
      }
      assert.deepEqual(remediesFor(error), [{ kind: 'editAccountSettings' }]);
    });
  });
});
