import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  audienceProblem,
  existingFileProblem,
  googleServiceAccountProblem,
  kubernetesNameProblem,
  kubernetesNamespaceProblem,
  projectIdProblem,
  subjectProblem,
  variableNameProblem,
  yandexIdProblem,
} from '../../../src/core/inputRules';
import { testContext } from '../../helpers/context';
import { useTempDir } from '../helpers/fixtures';

/** Asserts each good value passes and each bad one gets a reason matching `why`. */
function check(
  rule: (value: string) => string | undefined,
  good: readonly string[],
  bad: readonly string[],
  why: RegExp,
): void {
  for (const value of good) assert.equal(rule(value), undefined, `"${value}" should pass`);
  for (const value of bad) assert.match(rule(value) ?? '(accepted)', why, `"${value}"`);
}

describe('Wizard input rules', () => {
  it('takes Google service-account emails, "default" and unique ids only where allowed', () => {
    const emails = [
      'invoker@my-project.iam.gserviceaccount.com',
      '123456789012-compute@developer.gserviceaccount.com',
      'my-project@appspot.gserviceaccount.com',
      ' service-123@gcp-sa-pubsub.iam.gserviceaccount.com ',
    ];
    const metadata = (v: string) => googleServiceAccountProblem(v, { defaultAlias: true });
    check(
      metadata,
      ['default', ...emails],
      ['not an email', 'a@b', '@x.com', 'a b@c.com'],
      /is not an email/,
    );
    check(
      metadata,
      [],
      ['alice@example.com', 'me@gmail.com'],
      /not a service account.*\.gserviceaccount\.com/,
    );
    check(metadata, [], ['112233445566778899001'], /is not an email/);
    const impersonation = (v: string) => googleServiceAccountProblem(v, { uniqueId: true });
    check(
      impersonation,
      ['112233445566778899001', ...emails],
      ['default', ''],
      /or its numeric unique id/,
    );
    assert.match(metadata('') ?? '', /^Type "default" or a service-account email/);
  });

  it('takes project ids, not display names or numbers', () => {
    check(
      (v) => projectIdProblem(v),
      ['my-project-123456', 'abcdef', 'example.com:my-project'],
      ['My Project', '123456789012', 'abc', 'my-project-', '-project', 'a'.repeat(31)],
      /is not a project id/,
    );
    assert.equal(projectIdProblem('  ', true), undefined);
    assert.match(projectIdProblem('', false) ?? '', /Type a project id/);
  });

  it('takes audiences as URLs or plain strings, refusing broken URLs and spaces', () => {
    const required = (v: string) => audienceProblem(v, false);
    check(
      required,
      [
        'https://my-service-abc123-uc.a.run.app',
        'http://127.0.0.1:8080/path',
        '32555940559.apps.googleusercontent.com',
        'sts.amazonaws.com',
        'api://my-app',
        'vault',
      ],
      [
        'https//my-service',
        'https:/my-service',
        'http:my-service',
        'https://',
        'api://',
        'HTTPS:///x',
      ],
      /is not a valid URL/,
    );
    check(required, [], ['two words', 'tab\there', 'line\nbreak'], /no spaces or line breaks/);
    assert.equal(audienceProblem('', true), undefined);
    assert.match(audienceProblem('', false) ?? '', /Type the audience/);
  });

  it('takes Kubernetes namespaces (RFC 1123 labels) and service account names (subdomains)', () => {
    check(
      kubernetesNamespaceProblem,
      ['default', 'team-a', 'a1'],
      ['Team', 'a.b', '-a', 'a-', 'a_b', 'a'.repeat(64)],
      /not a namespace name/,
    );
    check(
      kubernetesNameProblem,
      ['builder', 'ci.bot', 'a-1'],
      ['Builder', 'a..b', '.a', 'a.', 'x y', `${'a'.repeat(254)}`],
      /not a service account name/,
    );
  });

  it('takes Yandex ids, variable names and OIDC subjects', () => {
    check(
      yandexIdProblem,
      ['aje0123456789abcdefg'],
      ['my-robot', 'aje 123', '', 'a'.repeat(51)],
      /not a service account id/,
    );
    check(
      variableNameProblem,
      ['ID_TOKEN_1', '$VAULT_ID_TOKEN', '_x'],
      ['1X', 'ID-TOKEN', 'a b', ''],
      /not a variable name/,
    );
    check(
      subjectProblem,
      ['', 'test-user', 'repo:org/app:ref:refs/heads/main'],
      ['a\u0000b', 'line\nbreak'],
      /control character/,
    );
    assert.match(
      subjectProblem('x'.repeat(256)) ?? '',
      /256 characters; OpenID Connect allows 255/,
    );
  });

  // Each rule's refusal names the condition the typed text breaks, and states the whole rule, so
  // no message refuses a value with a rule it satisfies ("demo-project-" ends with a hyphen).
  const conditions: readonly [string, (v: string) => string | undefined, string, RegExp][] = [
    ['project id', (v) => projectIdProblem(v), 'demo-project-', /: it ends with a hyphen\./],
    ['project id', (v) => projectIdProblem(v), 'abc', /: it has 3 characters, not 6 to 30\./],
    ['project id', (v) => projectIdProblem(v), 'a'.repeat(31), /it has 31 characters, not 6 to 30/],
    [
      'project id',
      (v) => projectIdProblem(v),
      'My Project',
      /: it has characters other than lowercase/,
    ],
    [
      'project id',
      (v) => projectIdProblem(v),
      '123456789012',
      /: it does not start with a letter\./,
    ],
    ['namespace', kubernetesNamespaceProblem, 'team-', /: it starts or ends with a hyphen\./],
    [
      'namespace',
      kubernetesNamespaceProblem,
      'a'.repeat(64),
      /: it has 64 characters, more than 63/,
    ],
    ['namespace', kubernetesNamespaceProblem, 'a.b', /: it has characters other than lowercase/],
    ['namespace', kubernetesNamespaceProblem, '', /: it is empty\./],
    ['service account name', kubernetesNameProblem, 'a..b', /: a dot-separated part is empty/],
    [
      'service account name',
      kubernetesNameProblem,
      'ci.-bot',
      /part is empty or starts or ends with "-"/,
    ],
    [
      'service account name',
      kubernetesNameProblem,
      'a'.repeat(254),
      /: it has 254 characters, more than 253/,
    ],
    [
      'service account name',
      kubernetesNameProblem,
      'Builder',
      /: it has characters other than lowercase/,
    ],
    ['Yandex id', yandexIdProblem, 'a'.repeat(51), /: it has 51 characters, more than 50\./],
    ['Yandex id', yandexIdProblem, 'my-robot', /: it has characters other than Latin letters/],
    ['variable', variableNameProblem, '1X', /: it starts with a digit\./],
    ['variable', variableNameProblem, 'ID-TOKEN', /: it has characters other than letters, digits/],
  ];
  for (const [rule, problem, input, why] of conditions) {
    it(`${rule}: "${input.slice(0, 16)}" is refused for the condition it breaks`, () => {
      assert.match(problem(input) ?? '(accepted)', why);
    });
  }

  it('states every condition of each rule in its refusal', () => {
    const whole: readonly [(v: string) => string | undefined, string, readonly RegExp[]][] = [
      [
        (v) => projectIdProblem(v),
        'x',
        [
          /6 to 30/,
          /lowercase letters, digits or hyphens/,
          /starting with a letter/,
          /not ending with a hyphen/,
        ],
      ],
      [
        kubernetesNamespaceProblem,
        'X',
        [
          /up to 63/,
          /lowercase letters, digits or hyphens/,
          /starting and ending with a letter or digit/,
        ],
      ],
      [
        kubernetesNameProblem,
        'X',
        [
          /up to 253/,
          /lowercase letters, digits, "-" and "\."/,
          /each dot-separated part starting and ending with a letter or digit/,
        ],
      ],
      [yandexIdProblem, '-', [/up to 50/, /Latin letters and digits/]],
      [variableNameProblem, '-', [/letters, digits and underscores/, /not starting with a digit/]],
    ];
    for (const [problem, input, parts] of whole) {
      const message = problem(input) ?? '(accepted)';
      for (const part of parts) assert.match(message, part);
    }
  });

  describe('existing files', () => {
    const dir = useTempDir('rules-');

    it('takes an absolute path that exists, refusing relative, missing and directories', async () => {
      const { files } = testContext();
      const file = join(dir.path, 'id_token');
      await writeFile(file, 'x');
      await mkdir(join(dir.path, 'sub'));
      assert.equal(await existingFileProblem(files, ` ${file} `), undefined);
      assert.match(
        (await existingFileProblem(files, 'tokens/id_token')) ?? '',
        /not an absolute path/,
      );
      assert.match(
        (await existingFileProblem(files, join(dir.path, 'nope'))) ?? '',
        /does not exist/,
      );
      const reader = { readText: (p: string) => files.readText(p) };
      assert.match(
        (await existingFileProblem(reader, join(dir.path, 'sub'))) ?? '',
        /cannot be read: .*EISDIR/,
      );
    });
  });
});
