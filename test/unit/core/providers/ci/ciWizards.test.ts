import * as assert from 'node:assert/strict';
import { azureAccessTokenDescriptor } from '../../../../../src/core/providers/azure/accessTokenDescriptor';
import { bitbucketPipelinesDescriptor } from '../../../../../src/core/providers/bitbucket/pipelinesDescriptor';
import { buildkiteDescriptor } from '../../../../../src/core/providers/buildkite/agentOidcDescriptor';
import { circleciDescriptor } from '../../../../../src/core/providers/circleci/oidcDescriptor';
import type { ProviderDescriptor } from '../../../../../src/core/providers/descriptor';
import {
  type AccountDraft,
  type PickItem,
  type WizardUi,
  runWizardSteps,
} from '../../../../../src/core/wizard';
import { testContext } from '../../../../helpers/context';

/** Answers in order: a pick's label, an input's text, a confirm's choice; undefined cancels. */
function scripted(answers: (string | boolean | undefined)[]): WizardUi & { asked: string[] } {
  const asked: string[] = [];
  const next = (question: string) => {
    asked.push(question);
    assert.ok(answers.length > 0, `no answer for ${question}`);
    return answers.shift();
  };
  return {
    asked,
    async pick<T extends PickItem>(items: readonly T[], options: { title: string }) {
      const label = next(`pick: ${options.title} [${items.map((i) => i.label).join(' | ')}]`);
      return items.find((item) => item.label === label);
    },
    async input(options) {
      return next(`input: ${options.title}`) as string | undefined;
    },
    async confirm(message) {
      return next(`confirm: ${message}`) === true;
    },
    async pickFile() {
      return undefined;
    },
    async recover() {
      return undefined;
    },
    busy: (_title, task) => task(new AbortController().signal),
    error: () => undefined,
  };
}

async function run(
  descriptor: ProviderDescriptor<AccountDraft['kind']>,
  ui: WizardUi,
  env: Record<string, string> = {},
  draft: AccountDraft = { kind: descriptor.kind, settings: {} },
): Promise<AccountDraft | undefined> {
  return runWizardSteps(descriptor.wizard, draft, {
    ui,
    context: testContext({ env }),
    state: { get: () => undefined, update: async () => undefined },
    environmentNames: () => Object.keys(env),
  });
}

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('CI and Azure wizard steps', () => {
  it('Buildkite: offers the optional claims inside a job, and warns outside one', async () => {
    const ui = scripted(['organization_id and pipeline_id']);
    const inJob = await run(buildkiteDescriptor, ui, {
      BUILDKITE_JOB_ID: 'j',
      BUILDKITE_AGENT_ACCESS_TOKEN: 't',
    });
    assert.deepEqual(inJob?.settings, { claims: ['organization_id', 'pipeline_id'] });
    const outside = scripted([false]);
    assert.equal(await run(buildkiteDescriptor, outside), undefined);
    assert.match(
      outside.asked[0] ?? '',
      /BUILDKITE_JOB_ID and BUILDKITE_AGENT_ACCESS_TOKEN are not set/,
    );
  });

  it('CircleCI: picks V2 or V1 and says which the job has', async () => {
    const ui = scripted([`$CIRCLE_OIDC_TOKEN`]);
    const draft = await run(circleciDescriptor, ui, { CIRCLE_OIDC_TOKEN: JWT });
    assert.deepEqual(draft?.settings, { version: 'v1' });
    assert.equal(draft?.name, 'CircleCI $CIRCLE_OIDC_TOKEN');
    const detected = scripted([]);
    const kept = await run(
      circleciDescriptor,
      detected,
      {},
      {
        kind: 'circleci-oidc',
        settings: { version: 'v2' },
      },
    );
    assert.deepEqual(kept?.settings, { version: 'v2' });
    assert.deepEqual(detected.asked, [], 'a detected draft asks nothing more');
  });

  it('Bitbucket: adds the step account at once inside a step, asks first outside one', async () => {
    const inside = scripted([]);
    assert.equal(
      (await run(bitbucketPipelinesDescriptor, inside, { BITBUCKET_STEP_OIDC_TOKEN: JWT }))?.name,
      'Bitbucket Pipelines step',
    );
    const outside = scripted([true]);
    assert.ok(await run(bitbucketPipelinesDescriptor, outside));
    assert.match(outside.asked[0] ?? '', /oidc: true/);
  });

  it('Azure: asks az or managed identity, then the managed identity client id', async () => {
    const cli = await run(azureAccessTokenDescriptor, scripted(['Azure CLI']));
    assert.deepEqual(cli?.settings, { method: 'az' });
    const mi = scripted(['Managed identity', ' 11111111-2222-4333-8444-555555555555 ']);
    const identity = await run(azureAccessTokenDescriptor, mi);
    assert.deepEqual(identity?.settings, {
      method: 'managed-identity',
      clientId: '11111111-2222-4333-8444-555555555555',
    });
    assert.equal(mi.asked[0], 'pick: Azure access token: how? [Azure CLI | Managed identity]');
    const system = await run(azureAccessTokenDescriptor, scripted(['Managed identity', '']));
    assert.deepEqual(system?.settings, { method: 'managed-identity' });
    assert.equal(await run(azureAccessTokenDescriptor, scripted([undefined])), undefined);
  });
});
