import * as assert from 'node:assert/strict';
import { type Remedy, remedyLabel } from '../../../src/core/remedies';
import { TokenExplorerError } from '../../../src/core/errors';
import { writeFile as writeFileText } from 'node:fs/promises';
import { join } from 'node:path';
import { customCommandDescriptor } from '../../../src/core/providers/custom/commandDescriptor';
import { githubActionsDescriptor } from '../../../src/core/providers/github/actionsDescriptor';
import { gitlabCiDescriptor } from '../../../src/core/providers/gitlab/ciTokenDescriptor';
import { metadataDescriptor } from '../../../src/core/providers/google/metadataDescriptor';
import { serviceAccountKeyDescriptor } from '../../../src/core/providers/google/serviceAccountKeyDescriptor';
import { localIssuerDescriptor } from '../../../src/core/providers/local/localIssuerDescriptor';
import { gcloudDescriptor } from '../../../src/core/providers/google/gcloudDescriptor';
import { kubernetesDescriptor } from '../../../src/core/providers/kubernetes/kubernetesDescriptor';
import { nodeProcessRunner } from '../../../src/core/node/processRunner';
import type { ProviderContext } from '../../../src/core/providers/provider';
import { parseYaml } from '../../../src/core/yaml';
import { makeFakeGcloud } from '../../emulators/gcloud/fakeGcloud';
import { deployerYc } from '../../fixtures/fakeClis';
import { makeFakeYc } from '../../emulators/yc/fakeYc';
import { yandexCliDescriptor } from '../../../src/core/providers/yandex/ycDescriptor';
import { impersonationDescriptor } from '../../../src/core/providers/google/impersonationDescriptor';
import {
  type AccountDraft,
  type InputOptions,
  type PickItem,
  type WizardPorts,
  type WizardUi,
  logCancels,
  runWizardSteps,
} from '../../../src/core/wizard';
import { testContext } from '../../helpers/context';
import { KubeApiServer } from '../../emulators/kubernetes/apiServer';
import { type PodMountFile, writePodMount } from '../../emulators/kubernetes/podMount';
import { useTempDir } from '../helpers/fixtures';

/** One scripted answer: a pick's label, an input's text, a confirm's choice, a file, or cancel. */
type Answer = string | boolean | { path: string; text: string } | undefined;

/** A WizardUi that answers from a script, in order, and records what it was asked. */
class ScriptedUi implements WizardUi {
  readonly asked: string[] = [];
  readonly errors: string[] = [];
  readonly inputs: InputOptions[] = [];

  constructor(private readonly answers: Answer[]) {}

  get unanswered(): number {
    return this.answers.length;
  }

  private next(question: string): Answer {
    this.asked.push(question);
    assert.ok(this.answers.length > 0, `no scripted answer for ${question}`);
    return this.answers.shift();
  }

  async pick<T extends PickItem>(items: readonly T[], options: { title: string }) {
    const label = this.next(`pick: ${options.title}`);
    return label === undefined ? undefined : items.find((item) => item.label === label);
  }
  async input(options: InputOptions) {
    this.inputs.push(options);
    return this.next(`input: ${options.title}`) as string | undefined;
  }
  async confirm(message: string, action: string) {
    return this.next(`confirm: ${action}: ${message}`) === true;
  }
  async pickFile(options: { title: string }) {
    return this.next(`file: ${options.title}`) as { path: string; text: string } | undefined;
  }
  /** Runs when a recover question is answered (what the adapter would do, e.g. set a path). */
  onRecover: () => void = () => undefined;
  async recover(message: string, remedies: readonly Remedy[]) {
    const label = this.next(`recover: ${remedies.map(remedyLabel).join(' | ')}: ${message}`);
    const chosen = remedies.find((remedy) => remedyLabel(remedy) === label);
    if (chosen) this.onRecover();
    return chosen;
  }
  busy<T>(_title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return task(new AbortController().signal);
  }
  error(message: string): void {
    this.errors.push(message);
  }
}

function ports(
  ui: WizardUi,
  context: ProviderContext = testContext(),
  state = new Map<string, boolean>(),
): WizardPorts {
  return {
    ui,
    context,
    state: {
      get: (key) => state.get(key),
      update: async (key, value) => void state.set(key, value),
    },
    environmentNames: () => [],
  };
}

describe('Add Account wizard steps', () => {
  const dir = useTempDir('wizard-');

  it('asks a custom command as a JSON array and names the account after the program', async () => {
    const ui = new ScriptedUi(['["my-tool", "token", "--aud", "{audience}"]']);
    const draft: AccountDraft = { kind: 'custom-command', settings: {} };
    const filled = await runWizardSteps(customCommandDescriptor.wizard, draft, ports(ui));
    assert.deepEqual(filled, {
      kind: 'custom-command',
      settings: { command: ['my-tool', 'token', '--aud', '{audience}'] },
      name: 'my-tool',
    });
    const validate = ui.inputs[0]?.validate;
    assert.ok(validate);
    assert.equal(validate('["x"]'), undefined);
    for (const bad of ['my-tool token', '[]', '[1]', '{"a": "b"}']) assert.ok(validate(bad), bad);
  });

  it('defaults the local issuer subject when left empty', async () => {
    const ui = new ScriptedUi(['  ']);
    const filled = await runWizardSteps(
      localIssuerDescriptor.wizard,
      { kind: 'local-issuer', settings: {} },
      ports(ui),
    );
    assert.deepEqual(filled, {
      kind: 'local-issuer',
      settings: { sub: 'test-user' },
      name: 'Local issuer: test-user',
    });
  });

  it('takes a GitLab token file path typed instead of a variable', async () => {
    const ui = new ScriptedUi(['$(edit) Another variable or a file…', ' /run/secrets/id_token ']);
    const filled = await runWizardSteps(
      gitlabCiDescriptor.wizard,
      { kind: 'gitlab-ci', settings: {} },
      ports(ui),
    );
    assert.deepEqual(filled, {
      kind: 'gitlab-ci',
      settings: { file: '/run/secrets/id_token' },
      name: 'GitLab CI /run/secrets/id_token',
    });
  });

  it('stops when the user declines to add a metadata account without a server', async () => {
    const ui = new ScriptedUi([false]);
    const filled = await runWizardSteps(
      metadataDescriptor.wizard,
      { kind: 'google-metadata', settings: {} },
      ports(ui, testContext({ timeoutMs: 2000 })),
    );
    assert.equal(filled, undefined);
    assert.equal(ui.asked.length, 1);
    assert.match(ui.asked[0] ?? '', /^confirm: Add Anyway: No metadata server answered/);
    assert.equal(ui.unanswered, 0);
  });

  it('warns about downloaded keys once, and shows why a chosen file is not a key', async () => {
    const state = new Map<string, boolean>();
    const draft: AccountDraft = { kind: 'google-service-account-key', settings: {} };
    const declined = new ScriptedUi([false]);
    assert.equal(
      await runWizardSteps(
        serviceAccountKeyDescriptor.wizard,
        draft,
        ports(declined, undefined, state),
      ),
      undefined,
    );
    assert.match(declined.asked[0] ?? '', /^confirm: Import Key: Google discourages/);
    // The warning is not repeated: the next run goes straight to the file. A file that is not
    // JSON: why, and "Choose Another File…", which asks again and keeps going.
    const key = await (async () => {
      const { GoogleApis } = await import('../../emulators/google/googleApis');
      const apis = await GoogleApis.start();
      try {
        return (
          await apis.addServiceAccount({
            email: 'deployer@my-project-123456.iam.gserviceaccount.com',
            withKey: true,
          })
        ).keyFile;
      } finally {
        await apis.stop();
      }
    })();
    const notJson = join(dir.path, 'notes.txt');
    const keyPath = join(dir.path, 'key.json');
    const again = new ScriptedUi([
      { path: notJson, text: 'not json' },
      '$(file) Choose Another File…',
      { path: keyPath, text: key },
    ]);
    const filled = await runWizardSteps(
      serviceAccountKeyDescriptor.wizard,
      draft,
      ports(again, undefined, state),
    );
    assert.equal(
      filled?.settings.clientEmail,
      'deployer@my-project-123456.iam.gserviceaccount.com',
    );
    assert.match(
      again.asked[1] ?? '',
      /^pick: Add Account: the file is not a service-account key$/,
    );
    assert.equal(again.errors.length, 0);
    // Credentials of another kind: offered as that kind, with the file as its credentialsFile.
    for (const [type, kind] of [
      ['authorized_user', 'google-user'],
      ['external_account', 'google-impersonation'],
      ['impersonated_service_account', 'google-impersonation'],
    ] as const) {
      const path = join(dir.path, `${type}.json`);
      const ui = new ScriptedUi([{ path, text: JSON.stringify({ type }) }, undefined]);
      assert.equal(
        await runWizardSteps(
          serviceAccountKeyDescriptor.wizard,
          draft,
          ports(ui, undefined, state),
        ),
        undefined,
      );
      const as = new ScriptedUi([{ path, text: JSON.stringify({ type }) }]);
      as.pick = async (items) => items[0];
      assert.deepEqual(
        await runWizardSteps(
          serviceAccountKeyDescriptor.wizard,
          draft,
          ports(as, undefined, state),
        ),
        { kind, settings: { credentialsFile: path } },
      );
    }
  });

  it('runs no further step once one is cancelled', async () => {
    const ran: string[] = [];
    const filled = await runWizardSteps(
      [
        async (draft) => (ran.push('first'), draft),
        async () => (ran.push('second'), undefined),
        async (draft) => (ran.push('third'), draft),
      ],
      { kind: 'google-user', settings: {} },
      ports(new ScriptedUi([])),
    );
    assert.equal(filled, undefined);
    assert.deepEqual(ran, ['first', 'second']);
  });

  it('refuses a metadata service account that is neither "default" nor a service-account email', async () => {
    const ui = new ScriptedUi([true, 'invoker@my-project.iam.gserviceaccount.com']);
    const filled = await runWizardSteps(
      metadataDescriptor.wizard,
      { kind: 'google-metadata', settings: {} },
      ports(ui, testContext({ timeoutMs: 2000 })),
    );
    assert.equal(filled?.settings.serviceAccount, 'invoker@my-project.iam.gserviceaccount.com');
    const validate = ui.inputs[0]?.validate;
    assert.ok(validate);
    assert.match(String(await validate('not an email')), /"not an email" is not an email/);
    assert.match(String(await validate('alice@example.com')), /not a service account/);
    assert.equal(await validate('default'), undefined);
    assert.equal(await validate(''), undefined, 'empty means default');
  });

  it('does not offer "as the active gcloud account" when gcloud has none', async () => {
    const gcloud = await makeFakeGcloud({ activeAccount: null, accounts: [] });
    try {
      const context = {
        ...testContext({ runner: nodeProcessRunner, timeoutMs: 10_000 }),
        gcloudPath: gcloud.path,
      };
      const ui = new ScriptedUi([true]);
      const draft: AccountDraft = { kind: 'google-gcloud', settings: {} };
      assert.deepEqual(await runWizardSteps(gcloudDescriptor.wizard, draft, ports(ui, context)), {
        ...draft,
        skipTestMint:
          'added anyway after: gcloud has no active account: run "gcloud auth login" before minting. Add the account anyway?',
      });
      assert.deepEqual(ui.asked, [
        'confirm: Add Anyway: gcloud has no active account: run "gcloud auth login" before minting. Add the account anyway?',
      ]);
    } finally {
      await gcloud.cleanup();
    }
  });

  it('takes a detected kubeconfig context without asking for it again', async () => {
    const kubeconfig = join(dir.path, 'kubeconfig');
    await writeFileText(
      kubeconfig,
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: dev, context: {cluster: c, user: u, namespace: team-a}}, {name: prod, context: {cluster: c, user: u}}]\n',
    );
    const context = { ...testContext({ env: { KUBECONFIG: kubeconfig } }), parseYaml };
    const ui = new ScriptedUi(['team-a', 'builder']);
    const filled = await runWizardSteps(
      kubernetesDescriptor.wizard,
      { kind: 'kubernetes', settings: { context: 'dev' } },
      ports(ui, context),
    );
    assert.deepEqual(ui.asked, [
      'input: Kubernetes: namespace',
      'input: Kubernetes: service account name',
    ]);
    assert.deepEqual(filled?.settings, {
      context: 'dev',
      namespace: 'team-a',
      serviceAccount: 'builder',
      method: 'api',
    });
    assert.match(String(await ui.inputs[1]?.validate?.('Builder')), /not a service account name/);
    assert.match(String(await ui.inputs[0]?.validate?.('team_a')), /not a namespace name/);
  });

  describe('dead ends have a way past them', () => {
    /** A context whose logger keeps its lines, and whose CLI paths the test may change. */
    const recording = (extra: Partial<ProviderContext> = {}) => {
      const lines: string[] = [];
      const base = testContext({ runner: nodeProcessRunner, timeoutMs: 10_000, homeDir: dir.path });
      const context: { -readonly [K in keyof ProviderContext]: ProviderContext[K] } = {
        ...base,
        logger: {
          info: (m) => lines.push(`info: ${m}`),
          warn: (m) => lines.push(`warn: ${m}`),
          error: (m) => lines.push(`error: ${m}`),
        },
        ...extra,
      };
      return { context, lines };
    };

    it('yc not found: Pick yc…, Open Setting, Install Guide or Add Anyway; a picked yc lists', async () => {
      const yc = await deployerYc();
      try {
        const { context, lines } = recording({ ycPath: join(dir.path, 'no-yc') });
        const ui = new ScriptedUi(['Pick yc…', 'deployer']);
        // What the adapter does for "Pick yc…": store the chosen file in tokenExplorer.yc.path.
        ui.onRecover = () => {
          context.ycPath = yc.path;
        };
        const filled = await runWizardSteps(
          yandexCliDescriptor.wizard,
          { kind: 'yandex-cli', settings: {} },
          ports(ui, context),
        );
        assert.match(
          ui.asked[0] ?? '',
          /^recover: Pick yc… \| Open Setting \| Install Guide \| Add Anyway: yc was not found at .*no-yc\.\nInstall the Yandex Cloud CLI, or choose its executable/,
        );
        assert.deepEqual(filled?.settings, {
          serviceAccountId: 'aje0123456789abcdefg',
          profile: 'default',
        });
        assert.ok(
          lines.some((l) => /^info: Add Account: "Pick yc…" after: yc was not found/.test(l)),
          lines.join('\n'),
        );
      } finally {
        await yc.cleanup();
      }
    });

    it('yc not found, Add Anyway: the id is typed and the account saved without yc', async () => {
      const { context } = recording({ ycPath: join(dir.path, 'no-yc') });
      const ui = new ScriptedUi(['Add Anyway', 'aje0123456789abcdefg']);
      const filled = await runWizardSteps(
        yandexCliDescriptor.wizard,
        { kind: 'yandex-cli', settings: {} },
        ports(ui, context),
      );
      assert.deepEqual(filled?.settings, { serviceAccountId: 'aje0123456789abcdefg' });
      assert.equal(ui.asked[1], 'input: Service account id');
    });

    it('yc cannot list the service accounts: the reason is in the id question, not a toast', async () => {
      const yc = await makeFakeYc({
        profiles: { default: { hasToken: true, folderId: 'b1gfolder00000000000' } },
        activeProfile: 'default',
        deniedFolders: ['b1gfolder00000000000'],
      });
      try {
        const { context, lines } = recording({ ycPath: yc.path });
        const ui = new ScriptedUi(['aje0123456789abcdefg']);
        const filled = await runWizardSteps(
          yandexCliDescriptor.wizard,
          { kind: 'yandex-cli', settings: {} },
          ports(ui, context),
        );
        assert.equal(filled?.settings.serviceAccountId, 'aje0123456789abcdefg');
        assert.deepEqual(ui.errors, [], 'no toast');
        assert.match(
          ui.inputs.at(-1)?.prompt ?? '',
          /^yc could not list the service accounts \(.*Permission denied.*\)\. Type the id instead\.$/,
        );
        assert.ok(lines.some((l) => /^warn: yc service-account list failed: /.test(l)));
      } finally {
        await yc.cleanup();
      }
    });

    it('yc not found, Escape: stops and logs why, as info', async () => {
      const { context, lines } = recording({ ycPath: join(dir.path, 'no-yc') });
      const ui = new ScriptedUi([undefined]);
      const filled = await runWizardSteps(
        yandexCliDescriptor.wizard,
        { kind: 'yandex-cli', settings: {} },
        ports(ui, context),
      );
      assert.equal(filled, undefined);
      assert.ok(
        lines.some((l) =>
          /^info: Add Account stopped \(yc was not found at .*\): cancelled by the user$/.test(l),
        ),
        lines.join('\n'),
      );
      assert.ok(!lines.some((l) => l.startsWith('error:')));
    });

    it('gcloud not found: Add Anyway saves the draft as it is, without a test mint', async () => {
      const { context } = recording({ gcloudPath: join(dir.path, 'no-gcloud') });
      const ui = new ScriptedUi(['Add Anyway']);
      const draft: AccountDraft = { kind: 'google-gcloud', settings: {} };
      const filled = await runWizardSteps(gcloudDescriptor.wizard, draft, ports(ui, context));
      assert.deepEqual(
        { ...filled, skipTestMint: undefined },
        { ...draft, skipTestMint: undefined },
      );
      assert.match(filled?.skipTestMint ?? '', /^added anyway after: gcloud was not found at /);
      assert.match(
        ui.asked[0] ?? '',
        /^recover: Pick gcloud… \| Open Setting \| Install Guide \| Add Anyway: gcloud was not found at/,
      );
    });

    it('no kubeconfig: Pick Kubeconfig… asks for the file and keeps it in the account', async () => {
      const kubeconfig = join(dir.path, 'elsewhere.yaml');
      await writeFileText(
        kubeconfig,
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: dev, context: {cluster: c, user: u}}]\n',
      );
      const { context } = recording({ parseYaml });
      const ui = new ScriptedUi([
        'Pick Kubeconfig…',
        { path: kubeconfig, text: '' },
        'dev',
        'default',
        'builder',
      ]);
      const filled = await runWizardSteps(
        kubernetesDescriptor.wizard,
        { kind: 'kubernetes', settings: {} },
        ports(ui, context),
      );
      assert.match(ui.asked[0] ?? '', /^recover: Pick Kubeconfig… \| Add Anyway: No kubeconfig:/);
      assert.equal(ui.asked[1], 'file: Choose a kubeconfig');
      assert.deepEqual(filled?.settings, {
        kubeconfig,
        context: 'dev',
        namespace: 'default',
        serviceAccount: 'builder',
        method: 'api',
      });
    });

    it('no kubeconfig: Add Anyway asks only the namespace and the service account', async () => {
      const { context } = recording({ parseYaml });
      const ui = new ScriptedUi(['Add Anyway', 'team-a', 'builder']);
      const filled = await runWizardSteps(
        kubernetesDescriptor.wizard,
        { kind: 'kubernetes', settings: {} },
        ports(ui, context),
      );
      assert.deepEqual(filled?.settings, {
        namespace: 'team-a',
        serviceAccount: 'builder',
        method: 'api',
      });
    });

    // Every kind whose step offers "Add Anyway" (askPastMissing's button, or a confirm): after
    // it, Add Account must not test-mint and ask a second time about what the user accepted.
    for (const [kind, steps, extra, answers] of [
      ['kubernetes', kubernetesDescriptor.wizard, {}, ['Add Anyway', 'team-a', 'builder']],
      ['github-actions', githubActionsDescriptor.wizard, {}, [true]],
      [
        'yandex-cli',
        yandexCliDescriptor.wizard,
        { ycPath: '/nonexistent/yc' },
        ['Add Anyway', 'aje0123456789abcdefg'],
      ],
      [
        'google-gcloud',
        gcloudDescriptor.wizard,
        { gcloudPath: '/nonexistent/gcloud' },
        ['Add Anyway'],
      ],
    ] as const) {
      it(`${kind}: after Add Anyway the draft says not to test-mint, and why`, async () => {
        const { context } = recording({ parseYaml, ...extra });
        const ui = new ScriptedUi([...answers]);
        const filled = await runWizardSteps(
          steps,
          { kind, settings: {} } as AccountDraft,
          ports(ui, context),
        );
        assert.equal(ui.unanswered, 0);
        assert.match(filled?.skipTestMint ?? '', /^added anyway after: \S/);
      });
    }

    it('without Add Anyway the draft is test-minted as before', async () => {
      const { context } = recording({ parseYaml });
      const kubeconfig = join(dir.path, 'found.yaml');
      await writeFileText(
        kubeconfig,
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: dev, context: {cluster: c, user: u}}]\n',
      );
      const ui = new ScriptedUi([
        'Pick Kubeconfig…',
        { path: kubeconfig, text: '' },
        'dev',
        'default',
        'builder',
      ]);
      const filled = await runWizardSteps(
        kubernetesDescriptor.wizard,
        { kind: 'kubernetes', settings: {} },
        ports(ui, context),
      );
      assert.equal(filled?.skipTestMint, undefined);
    });

    it('metadata server known unreachable: the draft says not to test-mint', async () => {
      const ui = new ScriptedUi([true, 'default']);
      const filled = await runWizardSteps(
        metadataDescriptor.wizard,
        { kind: 'google-metadata', settings: {} },
        ports(ui, testContext({ timeoutMs: 2000 })),
      );
      assert.match(filled?.skipTestMint ?? '', /^no metadata server answered/);
    });

    it('impersonation without ADC: no project question, the email is typed', async () => {
      const { context } = recording({ timeoutMs: 500 });
      const ui = new ScriptedUi([true, 'invoker@my-project.iam.gserviceaccount.com']);
      const filled = await runWizardSteps(
        impersonationDescriptor.wizard,
        { kind: 'google-impersonation', settings: {} },
        ports(ui, context),
      );
      assert.match(
        ui.asked[0] ?? '',
        /^confirm: Continue: No Application Default Credentials .*you will type the email/,
      );
      assert.deepEqual(ui.asked.slice(1), ['input: Add account']);
      assert.equal(
        filled?.settings.targetServiceAccount,
        'invoker@my-project.iam.gserviceaccount.com',
      );
    });
  });
});

describe('Add Account wizard: cancels are logged where they happen', () => {
  it('logs each cancelled question with its title, and nothing for an answer', async () => {
    const lines: string[] = [];
    const ui = logCancels(new ScriptedUi([undefined, 'typed', undefined, undefined, false]), (l) =>
      lines.push(l),
    );
    assert.equal(await ui.pick([{ label: 'a' }], { title: 'Kubernetes: context' }), undefined);
    assert.equal(await ui.input({ title: 'Add account: default audience' }), 'typed');
    assert.equal(await ui.input({ title: 'Add account: name in the tree' }), undefined);
    assert.equal(await ui.pickFile({ title: 'Choose a kubeconfig', filters: {} }), undefined);
    assert.equal(await ui.confirm('No metadata server answered.\nmore', 'Add Anyway'), false);
    assert.deepEqual(lines, [
      'Add Account: "Kubernetes: context" cancelled by the user',
      'Add Account: "Add account: name in the tree" cancelled by the user',
      'Add Account: "Choose a kubeconfig" cancelled by the user',
      'Add Account: "Add Anyway" not chosen after: No metadata server answered.',
    ]);
  });

  it('logs a cancelled progress notification and passes the cancel on', async () => {
    const lines: string[] = [];
    const inner = new ScriptedUi([]);
    inner.busy = () =>
      Promise.reject(new TokenExplorerError('cancelled', 'Listing cancelled by the user.'));
    const ui = logCancels(inner, (l) => lines.push(l));
    await assert.rejects(
      ui.busy('Listing service accounts…', async () => 1),
      /cancelled/,
    );
    assert.deepEqual(lines, ['Add Account: "Listing service accounts…" cancelled by the user']);
  });
});

describe('Kubernetes wizard in a pod (in-cluster)', () => {
  const dir = useTempDir('wizard-pod-');
  let api: KubeApiServer;

  before(async () => {
    api = await KubeApiServer.start();
    api.addServiceAccount('team-a', 'builder');
    api.allow('system:serviceaccount:team-a:runner', 'team-a');
  });
  after(() => api.stop());

  /** A context in a pod running as team-a/runner, with `env` added. */
  async function inPod(env: Record<string, string> = {}, without: PodMountFile[] = []) {
    const root = join(dir.path, 'serviceaccount');
    const variables = await writePodMount(api, root, 'team-a', 'runner', without);
    const context: ProviderContext = {
      ...testContext({ env: { ...variables, ...env }, homeDir: join(dir.path, 'home') }),
      parseYaml,
      inClusterRoot: root,
    };
    return context;
  }

  it('offers the pod first and finishes with its namespace and service account pre-filled', async () => {
    const context = await inPod();
    const ui = new ScriptedUi([
      "$(server-process) Kubernetes in-cluster: this pod's service account",
      'team-a',
      'builder',
    ]);
    const filled = await runWizardSteps(
      kubernetesDescriptor.wizard,
      { kind: 'kubernetes', settings: {} },
      ports(ui, context),
    );
    assert.deepEqual(ui.asked, [
      'pick: Kubernetes: which cluster?',
      'input: Kubernetes: namespace',
      'input: Kubernetes: service account name',
    ]);
    assert.equal(ui.inputs[0]?.value, 'team-a');
    assert.equal(ui.inputs[1]?.value, 'runner');
    assert.match(ui.inputs[1]?.prompt ?? '', /this pod runs as runner/);
    assert.deepEqual(filled, {
      kind: 'kubernetes',
      settings: { inCluster: true, namespace: 'team-a', serviceAccount: 'builder', method: 'api' },
      name: 'in-cluster/team-a/builder',
    });
    // The account it saved mints, as the pod.
    const minted = await kubernetesDescriptor
      .create({} as never)
      .mint(
        { id: 'new', ...filled, kind: 'kubernetes' },
        { audience: 'sts.amazonaws.com' },
        context,
      );
    assert.ok(minted.token.split('.').length === 3);
    assert.equal(api.requests.at(-1)?.user, 'system:serviceaccount:team-a:runner');
  });

  it('takes the detected pod without asking which cluster', async () => {
    const ui = new ScriptedUi(['team-a', 'builder']);
    const filled = await runWizardSteps(
      kubernetesDescriptor.wizard,
      { kind: 'kubernetes', settings: { inCluster: true, namespace: 'team-a' } },
      ports(ui, await inPod()),
    );
    assert.deepEqual(ui.asked, [
      'input: Kubernetes: namespace',
      'input: Kubernetes: service account name',
    ]);
    assert.equal(filled?.settings.inCluster, true);
  });

  it('a kubeconfig context can still be chosen in a pod', async () => {
    const kubeconfig = join(dir.path, 'kubeconfig');
    await writeFileText(
      kubeconfig,
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: dev, context: {cluster: c, user: u}}]\ncurrent-context: dev\n',
    );
    const ui = new ScriptedUi(['$(file) A kubeconfig context', 'dev', 'default', 'builder']);
    const filled = await runWizardSteps(
      kubernetesDescriptor.wizard,
      { kind: 'kubernetes', settings: {} },
      ports(ui, await inPod({ KUBECONFIG: kubeconfig })),
    );
    assert.deepEqual(filled?.settings, {
      context: 'dev',
      namespace: 'default',
      serviceAccount: 'builder',
      method: 'api',
    });
  });

  it('a pod without a token: no pod offered, the kubeconfig questions as outside a pod', async () => {
    const ui = new ScriptedUi([undefined]);
    const filled = await runWizardSteps(
      kubernetesDescriptor.wizard,
      { kind: 'kubernetes', settings: {} },
      ports(ui, await inPod({}, ['token'])),
    );
    assert.equal(filled, undefined);
    assert.match(
      ui.asked[0] ?? '',
      /^recover: Pick Kubeconfig… \| Add Anyway: No kubeconfig: [^]*automountServiceAccountToken/,
    );
  });

  it('the detected pod outside a pod: Add Anyway keeps it, with default names', async () => {
    const ui = new ScriptedUi(['Add Anyway', 'default', 'default']);
    const filled = await runWizardSteps(
      kubernetesDescriptor.wizard,
      { kind: 'kubernetes', settings: { inCluster: true } },
      ports(ui, { ...testContext(), parseYaml }),
    );
    assert.match(
      ui.asked[0] ?? '',
      /^recover: Add Anyway: This editor does not run in a Kubernetes pod/,
    );
    assert.deepEqual(filled?.settings, {
      inCluster: true,
      namespace: 'default',
      serviceAccount: 'default',
      method: 'api',
    });
  });
});
