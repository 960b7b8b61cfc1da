// Cold mints of the non-Google providers against their emulators and fakes: one provider.mint()
// per run, nothing cached. There is no official Node client to compare these with.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { LocalIssuer } from '../src/core/localIssuer/issuer';
import { customCommandProvider } from '../src/core/providers/custom/command';
import { githubActionsProvider } from '../src/core/providers/github/actions';
import { gitlabCiProvider } from '../src/core/providers/gitlab/ciToken';
import { kubernetesProvider } from '../src/core/providers/kubernetes/tokenRequest';
import { localIssuerProvider } from '../src/core/providers/local/localIssuerProvider';
import type { Account, Provider, ProviderContext } from '../src/core/providers/provider';
import { yandexCliProvider } from '../src/core/providers/yandex/yc';
import { ActionsTokenServer } from '../test/emulators/github/actionsTokenServer';
import { MemorySecrets } from '../test/helpers/context';
import { KubeApiServer } from '../test/emulators/kubernetes/apiServer';
import { OidcIssuer } from '../test/emulators/oidcIssuer';
import { makeFakeYc } from '../test/emulators/yc/fakeYc';
import { benchContext } from './context';
import { median, percentile, row, timeAsync } from './report';

const SA_ID = 'aje0123456789abcdefg';

async function measure(
  name: string,
  provider: Provider,
  account: Account,
  context: ProviderContext,
  audience: string,
  runs: number,
): Promise<void> {
  const mint = () => provider.mint(account, { audience }, context);
  await mint();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await timeAsync(mint));
  row(`  ${name} (n=${runs})`, `${median(ms).toFixed(2)} / ${percentile(ms, 0.9).toFixed(2)} ms`);
}

/** Cold mint per non-Google provider; every server and temp folder is removed at the end. */
export async function benchMoreMints(): Promise<void> {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const dir = await mkdtemp(join(tmpdir(), 'te-bench-more-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    console.log('\nCold mints of the other providers, median / p90 (one mint per run, no cache)');

    const yc = await makeFakeYc({
      profiles: { default: { hasToken: true, folderId: 'b1g0123456789abcdefg' } },
      activeProfile: 'default',
      serviceAccounts: [
        {
          id: SA_ID,
          name: 'bench',
          folderId: 'b1g0123456789abcdefg',
          createdAt: '2026-01-01T00:00:00Z',
          tokenCreators: ['default'],
        },
      ],
    });
    cleanups.push(() => yc.cleanup());
    const ycAccount: Account = {
      id: 'y',
      kind: 'yandex-cli',
      settings: { serviceAccountId: SA_ID, ycPath: yc.path },
    };
    await measure(
      'yandex-cli (fake yc: a Node process spawn)',
      yandexCliProvider,
      ycAccount,
      benchContext({}),
      '',
      10,
    );

    const kube = await KubeApiServer.start();
    cleanups.push(() => kube.stop());
    const kubeconfig = await kube.writeTokenUserKubeconfig(join(dir, 'kubeconfig.yaml'));
    const kubeContext = { ...benchContext({}), parseYaml: (text: string) => load(text) };
    const kubeAccount: Account = {
      id: 'k',
      kind: 'kubernetes',
      settings: { kubeconfig, serviceAccount: 'builder' },
    };
    await measure(
      'kubernetes (TokenRequest over TLS)',
      kubernetesProvider,
      kubeAccount,
      kubeContext,
      'vault',
      50,
    );

    const actions = await ActionsTokenServer.start();
    cleanups.push(() => actions.stop());
    const gha: Account = { id: 'g', kind: 'github-actions', settings: {} };
    await measure(
      'github-actions',
      githubActionsProvider,
      gha,
      benchContext(actions.env()),
      'sts.amazonaws.com',
      50,
    );

    const gitlab = await OidcIssuer.start();
    cleanups.push(() => gitlab.stop());
    const ciToken = await gitlab.sign({
      sub: 'project_path:g/app:ref_type:branch:ref:main',
      aud: 'vault',
      project_path: 'g/app',
    });
    const gl: Account = { id: 'l', kind: 'gitlab-ci', settings: { variable: 'ID_TOKEN_1' } };
    await measure(
      'gitlab-ci (re-reads the job variable)',
      gitlabCiProvider,
      gl,
      benchContext({ ID_TOKEN_1: ciToken }),
      '',
      200,
    );

    const script = join(dir, 'print.mjs');
    await writeFile(script, `process.stdout.write(${JSON.stringify(ciToken)});\n`);
    const custom: Account = {
      id: 'c',
      kind: 'custom-command',
      settings: { command: [process.execPath, script, '{audience}'] },
    };
    await measure(
      'custom-command (a Node process spawn)',
      customCommandProvider,
      custom,
      { ...benchContext({}), workspaceTrusted: true },
      '',
      10,
    );

    const issuer = await LocalIssuer.load(new MemorySecrets());
    await issuer.start(0);
    cleanups.push(() => issuer.stop());
    const local: Account = { id: 'i', kind: 'local-issuer', settings: {} };
    await measure(
      'local-issuer (in process, ES256)',
      localIssuerProvider(() => issuer),
      local,
      benchContext({}),
      'http://localhost:8080',
      200,
    );
  } finally {
    await stopAll(cleanups);
  }
}

/** Runs every cleanup, newest first, even when one fails. */
async function stopAll(cleanups: (() => Promise<unknown>)[]): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}
