import * as assert from 'node:assert/strict';
import { writeFile as writeFileText } from 'node:fs/promises';
import { join } from 'node:path';
import { customCommandDescriptor } from '../../../src/core/providers/custom/commandDescriptor';
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
import {
  type AccountDraft,
  type InputOptions,
  type PickItem,
  type WizardPorts,
  type WizardUi,
  runWizardSteps,
} from '../../../src/core/wizard';
import { testContext } from '../../helpers/context';
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
  busy<T>(_title: string, task: () => Promise<T>): Promise<T> {
    return task();
  }
  error(message: string): void {
    this.errors.push(message);
  }
  warn(message: string): void {
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
    // The warning is not repeated: the next run goes straight to the file.
    const path = join(dir.path, 'not-a-key.json');
    const chosen = new ScriptedUi([{ path, text: '{"type": "authorized_user"}' }]);
    assert.equal(
      await runWizardSteps(
        serviceAccountKeyDescriptor.wizard,
        draft,
        ports(chosen, undefined, state),
      ),
      undefined,
    );
    assert.deepEqual(chosen.asked, ['file: Choose a service-account key (JSON)']);
    assert.equal(chosen.errors.length, 1);
    assert.match(chosen.errors[0] ?? '', /^Token Explorer: /);
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
      assert.deepEqual(
        await runWizardSteps(gcloudDescriptor.wizard, draft, ports(ui, context)),
        draft,
      );
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
});
