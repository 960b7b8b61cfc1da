import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readClusterCredentials } from '../../../../../src/core/providers/kubernetes/clusterCredentials';
import {
  listContexts,
  loadKubeconfig,
} from '../../../../../src/core/providers/kubernetes/kubeconfig';
import { resolveContext } from '../../../../../src/core/providers/kubernetes/resolveContext';
import type { ProviderContext } from '../../../../../src/core/providers/provider';
import { testContext } from '../../../../helpers/context';
import { kubeconfigJson, writeKubeconfig } from '../../../../emulators/kubernetes/apiServer';
import type { KubeconfigSpec } from '../../../../emulators/kubernetes/apiServer';
import { parseYaml } from '../../../../../src/core/yaml';
import { rejectsWith } from '../../../helpers/assertions';
import { useTempDir } from '../../../helpers/fixtures';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBcaFAKE\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBclientFAKE\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHsecretKEYmaterial\n-----END PRIVATE KEY-----\n';

describe('kubeconfig', () => {
  const tmp = useTempDir('kubeconfig-');

  function context(
    env: Record<string, string | undefined> = {},
    platform: NodeJS.Platform = 'linux',
  ): ProviderContext {
    return { ...testContext({ env, homeDir: tmp.path, platform }), parseYaml };
  }

  const prod: KubeconfigSpec = {
    clusters: [{ name: 'prod', server: 'https://prod.example:6443', certificateAuthorityData: CA }],
    users: [{ name: 'jane', token: 'jane-token' }],
    contexts: [{ name: 'prod', cluster: 'prod', user: 'jane', namespace: 'team-a' }],
    currentContext: 'prod',
  };

  async function homeConfig(spec: KubeconfigSpec): Promise<string> {
    await mkdir(join(tmp.path, '.kube'), { recursive: true });
    return writeKubeconfig(join(tmp.path, '.kube', 'config'), spec);
  }

  it('reads ~/.kube/config (real YAML) and resolves the current context', async () => {
    const path = await homeConfig(prod);
    const config = await loadKubeconfig(context());
    assert.deepEqual(config.files, [path]);
    const resolved = resolveContext(config);
    assert.equal(resolved.name, 'prod');
    assert.equal(resolved.namespace, 'team-a');
    assert.equal(resolved.cluster.server, 'https://prod.example:6443');
    assert.equal(resolved.cluster.certificateAuthorityData, CA);
    assert.equal(resolved.cluster.insecureSkipTlsVerify, false);
    assert.equal(resolved.user?.token, 'jane-token');
    const credentials = await readClusterCredentials(context(), resolved);
    assert.deepEqual(credentials, {
      server: 'https://prod.example:6443',
      ca: CA,
      insecureSkipTlsVerify: false,
      token: 'jane-token',
    });
  });

  it('merges KUBECONFIG like kubectl: first file wins per name, missing files are skipped', async () => {
    const a = await writeKubeconfig(join(tmp.path, 'a.yaml'), {
      clusters: [{ name: 'shared', server: 'https://from-a:6443' }],
      users: [{ name: 'u', token: 'from-a' }],
      contexts: [{ name: 'ctx-a', cluster: 'shared', user: 'u' }],
      currentContext: 'ctx-a',
    });
    const b = await writeKubeconfig(
      join(tmp.path, 'b.json'),
      {
        clusters: [{ name: 'shared', server: 'https://from-b:6443' }],
        users: [
          { name: 'u', token: 'from-b' },
          { name: 'v', token: 'only-in-b' },
        ],
        contexts: [
          { name: 'ctx-a', cluster: 'nowhere', user: 'v' },
          { name: 'ctx-b', cluster: 'shared', user: 'v', namespace: 'ns-b' },
        ],
        currentContext: 'ctx-b',
      },
      'json',
    );
    const missing = join(tmp.path, 'missing.yaml');
    const config = await loadKubeconfig(context({ KUBECONFIG: `${a}:${missing}::${b}` }));
    assert.deepEqual(config.files, [a, b]);
    assert.equal(config.currentContext, 'ctx-a');
    const current = resolveContext(config);
    assert.equal(current.cluster.server, 'https://from-a:6443');
    assert.equal(current.user?.token, 'from-a');
    assert.equal(current.namespace, 'default');
    const other = resolveContext(config, 'ctx-b');
    assert.equal(other.cluster.server, 'https://from-a:6443');
    assert.equal(other.user?.token, 'only-in-b');
    assert.equal(other.namespace, 'ns-b');
    assert.equal(other.user?.source, b);
  });

  it('splits KUBECONFIG on ";" on Windows', async () => {
    const a = await writeKubeconfig(join(tmp.path, 'a.yaml'), prod);
    const b = await writeKubeconfig(join(tmp.path, 'b.yaml'), {
      ...prod,
      contexts: [{ name: 'other', cluster: 'prod' }],
    });
    const config = await loadKubeconfig(context({ KUBECONFIG: `${a};${b}` }, 'win32'));
    assert.deepEqual(config.files, [a, b]);
    assert.deepEqual([...config.contexts.keys()], ['prod', 'other']);
  });

  it('uses an explicit path over KUBECONFIG, with ~ expanded', async () => {
    await writeKubeconfig(join(tmp.path, 'mine.yaml'), prod);
    const config = await loadKubeconfig(context({ KUBECONFIG: '/nope/config' }), {
      path: '~/mine.yaml',
    });
    assert.deepEqual(config.files, [join(tmp.path, 'mine.yaml')]);
    await rejectsWith(
      loadKubeconfig(context(), { path: join(tmp.path, 'gone.yaml') }),
      'bad-config',
      /gone\.yaml \(account setting "kubeconfig"\) does not exist/,
    );
  });

  it('explains a missing default kubeconfig and a KUBECONFIG of missing files', async () => {
    await rejectsWith(
      loadKubeconfig(context()),
      'bad-config',
      /No kubeconfig: .*\.kube\/config does not exist and KUBECONFIG is not set/,
    );
    await rejectsWith(
      loadKubeconfig(context({ KUBECONFIG: '/nope/a:/nope/b' })),
      'bad-config',
      /None of the files in KUBECONFIG exist: \/nope\/a, \/nope\/b/,
    );
  });

  it('needs the injected YAML parser, and names the file of bad YAML', async () => {
    await homeConfig(prod);
    const { parseYaml: _dropped, ...withoutParser } = context();
    await rejectsWith(loadKubeconfig(withoutParser), 'bad-config', /YAML parser/);
    const path = join(tmp.path, 'broken.yaml');
    await writeFile(path, 'apiVersion: v1\nclusters: [\n- name: x\n');
    const warnings: string[] = [];
    const logger = {
      info: () => undefined,
      warn: (m: string) => warnings.push(m),
      error: () => {},
    };
    const yamlError = await rejectsWith(
      loadKubeconfig({ ...context({ KUBECONFIG: path }), logger }),
      'bad-config',
      // A notification cannot show line breaks: the position in words, the code frame logged.
      /broken\.yaml is not valid YAML: [a-z ]+ at line 3, column 1\.$/,
    );
    assert.doesNotMatch(yamlError.message, /\n| \| |\^/);
    assert.match(warnings.join('\n'), /broken\.yaml is not valid YAML:\n[^]* 3 \| - name: x\n-+\^/);
    await writeFile(path, 'clusters: 3\n');
    await rejectsWith(
      loadKubeconfig(context({ KUBECONFIG: path })),
      'bad-config',
      /"clusters" in the kubeconfig .*broken\.yaml is not a list/,
    );
    await writeFile(path, 'contexts:\n- context: {cluster: c}\n');
    await rejectsWith(
      loadKubeconfig(context({ KUBECONFIG: path })),
      'bad-config',
      /Entry 1 of "contexts" .* has no "name"/,
    );
  });

  it('accepts an empty file and a JSON kubeconfig', async () => {
    const empty = join(tmp.path, 'empty');
    await writeFile(empty, '');
    const json = join(tmp.path, 'config.json');
    await writeFile(json, kubeconfigJson(prod));
    const config = await loadKubeconfig(context({ KUBECONFIG: `${empty}:${json}` }));
    assert.equal(resolveContext(config).user?.token, 'jane-token');
  });

  it('resolves file references against the kubeconfig folder and reads them', async () => {
    const dir = join(tmp.path, 'clusters', 'lab');
    await mkdir(join(dir, 'pki'), { recursive: true });
    await writeFile(join(dir, 'pki', 'ca.crt'), CA);
    await writeFile(join(dir, 'pki', 'jane.crt'), CERT);
    await writeFile(join(dir, 'pki', 'jane.key'), KEY);
    await writeFile(join(dir, 'token'), 'file-token\n');
    const path = await writeKubeconfig(join(dir, 'config'), {
      clusters: [{ name: 'lab', server: 'https://lab:6443', certificateAuthority: 'pki/ca.crt' }],
      users: [
        {
          name: 'jane',
          clientCertificate: 'pki/jane.crt',
          clientKey: join(dir, 'pki', 'jane.key'),
          tokenFile: './token',
        },
      ],
      contexts: [{ name: 'lab', cluster: 'lab', user: 'jane' }],
      currentContext: 'lab',
    });
    const ctx = context({ KUBECONFIG: path });
    const resolved = resolveContext(await loadKubeconfig(ctx));
    assert.equal(resolved.cluster.certificateAuthority, join(dir, 'pki', 'ca.crt'));
    assert.equal(resolved.user?.clientCertificate, join(dir, 'pki', 'jane.crt'));
    assert.equal(resolved.user?.tokenFile, join(dir, 'token'));
    assert.deepEqual(await readClusterCredentials(ctx, resolved), {
      server: 'https://lab:6443',
      ca: CA,
      insecureSkipTlsVerify: false,
      token: 'file-token',
      clientCertificate: CERT,
      clientKey: KEY,
    });
  });

  it('reads data and file variants of the client certificate alike', async () => {
    await writeFile(join(tmp.path, 'c.crt'), CERT);
    await writeFile(join(tmp.path, 'c.key'), KEY);
    const path = await writeKubeconfig(join(tmp.path, 'config'), {
      clusters: [{ name: 'c', server: 'https://c:6443', certificateAuthorityData: CA }],
      users: [
        { name: 'data', clientCertificateData: CERT, clientKeyData: KEY },
        { name: 'files', clientCertificate: 'c.crt', clientKey: 'c.key' },
      ],
      contexts: [
        { name: 'data', cluster: 'c', user: 'data' },
        { name: 'files', cluster: 'c', user: 'files' },
      ],
    });
    const ctx = context({ KUBECONFIG: path });
    const config = await loadKubeconfig(ctx);
    const fromData = await readClusterCredentials(ctx, resolveContext(config, 'data'));
    const fromFiles = await readClusterCredentials(ctx, resolveContext(config, 'files'));
    assert.deepEqual(fromData, fromFiles);
    assert.equal(fromData.clientKey, KEY);
  });

  it('names the file and the field that is missing or broken, never the key material', async () => {
    const path = join(tmp.path, 'config');
    const check = async (spec: KubeconfigSpec, name: string | undefined, ...patterns: RegExp[]) => {
      await writeKubeconfig(path, spec);
      const ctx = context({ KUBECONFIG: path });
      const error = await rejectsWith(
        loadKubeconfig(ctx).then((config) =>
          readClusterCredentials(ctx, resolveContext(config, name)),
        ),
        'bad-config',
        ...patterns,
      );
      assert.ok(!error.message.includes('secretKEYmaterial'), error.message);
      assert.ok(!error.message.includes(Buffer.from(KEY).toString('base64')), error.message);
    };
    const file = new RegExp(path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    await check(
      { ...prod, currentContext: undefined },
      undefined,
      /has no "current-context"/,
      /kubectl config use-context/,
    );
    await check(
      prod,
      'staging',
      /context "staging" is not in the kubeconfig/,
      /Contexts there: prod/,
    );
    await check(
      { ...prod, contexts: [{ name: 'prod', cluster: 'gone', user: 'jane' }] },
      undefined,
      /refers to the cluster "gone"/,
      file,
    );
    await check(
      { ...prod, contexts: [{ name: 'prod', cluster: 'prod', user: 'nobody' }] },
      undefined,
      /refers to the user "nobody"/,
    );
    await check(
      { ...prod, clusters: [{ name: 'prod', server: '' }] },
      undefined,
      /cluster "prod" in the kubeconfig .* has no "server"/,
      file,
    );
    await check(
      { ...prod, clusters: [{ name: 'prod', server: 'ftp://x' }] },
      undefined,
      /"server" of cluster "prod" .* is not an https/,
    );
    await check(
      { ...prod, users: [{ name: 'jane', clientCertificateData: CERT }] },
      undefined,
      /user "jane" .* has a client certificate but no "client-key"/,
    );
    await check(
      {
        ...prod,
        users: [{ name: 'jane', clientCertificateData: CERT, clientKeyData: 'not a key' }],
      },
      undefined,
      /"client-key-data" of user "jane" .* is not base64 of a PEM private key/,
    );
    await check(
      { ...prod, users: [{ name: 'jane', clientCertificate: 'nope.crt', clientKey: 'nope.key' }] },
      undefined,
      /nope\.crt \(the "client-certificate" of user "jane" in .*\) does not exist/,
    );
    await writeFile(join(tmp.path, 'wrong.crt'), KEY);
    await check(
      {
        ...prod,
        clusters: [{ name: 'prod', server: 'https://p', certificateAuthority: 'wrong.crt' }],
      },
      undefined,
      /wrong\.crt \(the "certificate-authority" of cluster "prod" .*\) is not a PEM certificate/,
    );
    await check(
      { ...prod, clusters: [{ ...prod.clusters![0]!, insecureSkipTlsVerify: true }] },
      undefined,
      /both a certificate authority and "insecure-skip-tls-verify: true"/,
    );
  });

  it('reads *-data written as YAML !!binary blocks, as kubectl does', async () => {
    const block = (pem: string) =>
      `!!binary |\n      ${Buffer.from(pem)
        .toString('base64')
        .replace(/.{1,60}/g, '$&\n      ')
        .trimEnd()}`;
    const path = join(tmp.path, 'binary.yaml');
    await writeFile(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: prod',
        '  cluster:',
        '    server: https://prod.example:6443',
        `    certificate-authority-data: ${block(CA)}`,
        'users:',
        '- name: jane',
        '  user:',
        `    client-certificate-data: ${block(CERT)}`,
        `    client-key-data: ${block(KEY)}`,
        'contexts:',
        '- name: prod',
        '  context: {cluster: prod, user: jane}',
        'current-context: prod',
        '',
      ].join('\n'),
    );
    const resolved = resolveContext(await loadKubeconfig(context(), { path }));
    assert.equal(resolved.cluster.certificateAuthorityData, CA);
    assert.equal(resolved.user?.clientCertificateData, CERT);
    assert.equal(resolved.user?.clientKeyData, KEY);
  });

  it('suggests the kubectl method for shapes it cannot read', async () => {
    const path = join(tmp.path, 'odd.yaml');
    const cases: [string, RegExp][] = [
      [
        'certificate-authority-data: [1, 2]',
        /"certificate-authority-data" .* is a list, not base64/,
      ],
      ['certificate-authority-data: {a: b}', /"certificate-authority-data" .* is a mapping/],
      [
        'certificate-authority-data: !!binary aGVsbG8=',
        /not base64 of a PEM certificate \(in its !!binary block\)/,
      ],
      ['tls-server-name: 42', /"tls-server-name" .* is a number, not text/],
    ];
    for (const [line, message] of cases) {
      await writeFile(
        path,
        `clusters:\n- name: c\n  cluster:\n    server: https://c.example\n    ${line}\ncontexts:\n- name: c\n  context: {cluster: c}\ncurrent-context: c\n`,
      );
      const config = await loadKubeconfig(context(), { path });
      assert.throws(
        () => resolveContext(config),
        (error: Error) => {
          assert.match(error.message, message);
          assert.match(error.message, /"method": "kubectl"/);
          return true;
        },
      );
    }
  });

  it('reads exec users, and auth-provider users only while their cached token is valid', async () => {
    const path = await writeKubeconfig(join(tmp.path, 'config'), {
      clusters: [{ name: 'gke', server: 'https://34.1.2.3', certificateAuthorityData: CA }],
      users: [
        { name: 'gke-user', exec: { command: 'gke-gcloud-auth-plugin' } },
        { name: 'old-gke', authProvider: 'gcp' },
        {
          name: 'cached',
          authProvider: {
            name: 'gcp',
            config: { 'access-token': 'ya29.cached', expiry: '2000-01-01T00:00:00Z' },
          },
        },
      ],
      contexts: [
        { name: 'gke', cluster: 'gke', user: 'gke-user' },
        { name: 'old', cluster: 'gke', user: 'old-gke' },
        { name: 'cached', cluster: 'gke', user: 'cached' },
      ],
      currentContext: 'gke',
    });
    const ctx = context({ KUBECONFIG: path });
    const config = await loadKubeconfig(ctx);
    assert.equal(resolveContext(config).user?.exec?.command, 'gke-gcloud-auth-plugin');
    assert.equal(resolveContext(config).user?.exec?.interactiveMode, 'IfAvailable');
    await rejectsWith(
      readClusterCredentials(ctx, resolveContext(config, 'old')),
      'bad-config',
      /auth-provider plugin that has not cached a token/,
      /kubectl method/,
    );
    await rejectsWith(
      readClusterCredentials(ctx, resolveContext(config, 'cached')),
      'bad-config',
      /cached expired at 2000-01-01T00:00:00Z/,
      /kubectl get --raw \/version --context cached/,
    );
  });

  it('checks exec sections as client-go does', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ apiVersion: 'client.authentication.k8s.io/v1alpha1' }, /"apiVersion" must be/],
      [
        { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: '' },
        /"interactiveMode" must be specified/,
      ],
      [{ interactiveMode: 'Sometimes' }, /invalid "interactiveMode" "Sometimes"/],
      [{ env: [{ value: 'x' }] }, /"env" must be a list/],
    ];
    for (const [exec, message] of cases) {
      const path = await writeKubeconfig(join(tmp.path, 'config'), {
        clusters: [{ name: 'c', server: 'https://c.example' }],
        users: [{ name: 'u', exec: { command: 'plugin', ...exec } }],
        contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
        currentContext: 'c',
      });
      const config = await loadKubeconfig(context({ KUBECONFIG: path }));
      assert.throws(() => resolveContext(config), message);
    }
  });

  it('lists contexts for the wizard', async () => {
    await homeConfig({
      clusters: [
        { name: 'prod', server: 'https://prod:6443' },
        { name: 'lab', server: 'https://lab:6443' },
      ],
      users: [
        { name: 'jane', token: 't' },
        { name: 'bot', clientCertificateData: CERT, clientKeyData: KEY },
        { name: 'gke', exec: { command: 'gke-gcloud-auth-plugin' } },
      ],
      contexts: [
        { name: 'prod', cluster: 'prod', user: 'jane', namespace: 'team-a' },
        { name: 'lab', cluster: 'lab', user: 'bot' },
        { name: 'gke', cluster: 'gone', user: 'gke' },
        { name: 'anon', cluster: 'lab' },
      ],
      currentContext: 'prod',
    });
    assert.deepEqual(listContexts(await loadKubeconfig(context())), [
      { name: 'anon', cluster: 'lab', server: 'https://lab:6443', auth: 'none', current: false },
      { name: 'gke', cluster: 'gone', user: 'gke', auth: 'exec', current: false },
      {
        name: 'lab',
        cluster: 'lab',
        server: 'https://lab:6443',
        user: 'bot',
        auth: 'client-certificate',
        current: false,
      },
      {
        name: 'prod',
        cluster: 'prod',
        server: 'https://prod:6443',
        namespace: 'team-a',
        user: 'jane',
        auth: 'token',
        current: true,
      },
    ]);
  });
});
