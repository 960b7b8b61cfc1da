import * as assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { TokenExplorerError } from '../../../../../src/core/errors';
import {
  findInsertionPoint,
  idTokensBlock,
  listIdTokens,
  listJobs,
} from '../../../../../src/core/providers/gitlab/ciYaml';

import { parseYaml } from '../../../../../src/core/yaml';

/** A pipeline with every way a job gets (or does not get) an ID token. */
const PIPELINE = `stages: [test, deploy]

variables:
  VAULT_ADDR: https://vault.example.com

default:
  image: alpine:3.20
  id_tokens:
    VAULT_ID_TOKEN:
      aud: https://vault.example.com

.deploy-template:
  id_tokens:
    AWS_TOKEN:
      aud: [sts.amazonaws.com, https://gitlab.example.com]
  script: [./deploy.sh]

test:
  stage: test
  script:
    - make test

deploy:
  stage: deploy
  id_tokens:
    GCP_ID_TOKEN:
      aud: "https://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gitlab/providers/gitlab"
  script:
    - ./deploy.sh

lint:
  inherit:
    default: false
  script: [make lint]

docs:
  inherit:
    default: [image]
  script: [make docs]

pages:
  extends: .deploy-template
  inherit:
    default: [image, id_tokens]
`;

/** The 0-based line of the first line of `text` from `from` on equal to `line` after trimming. */
function lineOf(text: string, line: string, from = 0): number {
  const index = text.split(/\r?\n/).findIndex((l, i) => i >= from && l.trim() === line);
  assert.notEqual(index, -1, `no line ${line}`);
  return index;
}

function badConfig(run: () => unknown, ...patterns: RegExp[]): TokenExplorerError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof TokenExplorerError, String(error));
    assert.equal(error.code, 'bad-config', error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return error;
  }
  assert.fail('expected a bad-config error');
}

/** Inserts an id_tokens entry as the "insert id_tokens block" command does. */
function insert(text: string, job: string, variable: string, aud: string): string {
  const point = findInsertionPoint(text, job);
  assert.ok(point, `no insertion point in ${job}`);
  const block = idTokensBlock(variable, aud, point.unit, { entryOnly: point.entryOnly })
    .split('\n')
    .map((line) => (line ? point.indent + line : line))
    .join('\n');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  lines.splice(point.line, 0, block.replace(/\n$/, '').split('\n').join(eol));
  return lines.join(eol);
}

describe('listIdTokens', () => {
  const tokens = listIdTokens(PIPELINE, parseYaml);
  const of = (job: string) => tokens.filter((t) => t.job === job);

  it("reads a pipeline that uses GitLab's !reference tag", () => {
    const text = `.vault:
  script: [vault login]
release:
  script:
    - !reference [.vault, script]
    - ./release.sh
  id_tokens:
    RELEASE_TOKEN:
      aud: https://release.example.com
`;
    assert.deepEqual(listIdTokens(text, parseYaml), [
      {
        job: 'release',
        variable: 'RELEASE_TOKEN',
        aud: 'https://release.example.com',
        line: lineOf(text, 'RELEASE_TOKEN:'),
      },
    ]);
    assert.deepEqual(listJobs(text, parseYaml), ['.vault', 'release']);
  });

  it('gives jobs without their own id_tokens those of default:', () => {
    assert.deepEqual(of('test'), [
      {
        job: 'test',
        variable: 'VAULT_ID_TOKEN',
        aud: 'https://vault.example.com',
        line: lineOf(PIPELINE, 'VAULT_ID_TOKEN:'),
        inherited: true,
      },
    ]);
  });

  it("lets a job's own id_tokens replace default's (no merging)", () => {
    assert.deepEqual(of('deploy'), [
      {
        job: 'deploy',
        variable: 'GCP_ID_TOKEN',
        aud: 'https://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gitlab/providers/gitlab',
        line: lineOf(PIPELINE, 'GCP_ID_TOKEN:'),
      },
    ]);
  });

  it('honours inherit: default: false and keyword lists', () => {
    assert.deepEqual(of('lint'), []);
    assert.deepEqual(of('docs'), []);
    assert.equal(of('pages')[0]?.variable, 'VAULT_ID_TOKEN');
  });

  it('lists hidden jobs as templates, with a list aud as written', () => {
    assert.deepEqual(of('.deploy-template'), [
      {
        job: '.deploy-template',
        variable: 'AWS_TOKEN',
        aud: ['sts.amazonaws.com', 'https://gitlab.example.com'],
        line: lineOf(PIPELINE, 'AWS_TOKEN:'),
        template: true,
      },
    ]);
  });

  it('does not resolve extends: (pages gets default:, not its template, here)', () => {
    assert.deepEqual(
      of('pages').map((t) => t.variable),
      ['VAULT_ID_TOKEN'],
    );
  });

  it('skips keywords and lists jobs in file order', () => {
    assert.ok(!tokens.some((t) => ['default', 'variables', 'stages'].includes(t.job)));
    assert.deepEqual(listJobs(PIPELINE, parseYaml), [
      '.deploy-template',
      'test',
      'deploy',
      'lint',
      'docs',
      'pages',
    ]);
  });

  it('reads an empty file as no jobs', () => {
    assert.deepEqual(listIdTokens('', parseYaml), []);
    assert.deepEqual(listIdTokens('# only a comment\n', parseYaml), []);
    assert.deepEqual(listJobs('', parseYaml), []);
  });

  it('skips a component header (spec: then ---) and keeps line numbers', () => {
    const text = `spec:
  inputs:
    audience:
      default: https://vault.example.com
---
release:
  id_tokens:
    RELEASE_TOKEN:
      aud: $[[ inputs.audience ]]
  script: [./release.sh]
`;
    assert.deepEqual(listIdTokens(text, parseYaml), [
      { job: 'release', variable: 'RELEASE_TOKEN', aud: '$[[ inputs.audience ]]', line: 7 },
    ]);
  });

  it('finds quoted job names and CRLF files, and leaves the line out for flow style', () => {
    const text = '"build job":\r\n  id_tokens: { A: { aud: x } }\r\n  script: [make]\r\n';
    assert.deepEqual(listIdTokens(text, parseYaml), [
      { job: 'build job', variable: 'A', aud: 'x', line: 1 },
    ]);
  });

  describe('refuses', () => {
    it('broken YAML, with the line and column of the problem', () => {
      const text = 'test:\n  script:\n    - make\n   stage: test\n';
      const error = badConfig(
        () => listIdTokens(text, parseYaml),
        /not valid YAML/,
        /at line 4, column \d+\./,
      );
      assert.doesNotMatch(error.message, /\n/);
      badConfig(() => listJobs('a: [1, 2\nb: 3\n', parseYaml), /at line 2, column 1\./);
    });

    it("GitLab's !reference tag when the parser does not know it", () => {
      // A bare js-yaml load, without the tag the extension's loader adds.
      const bareLoad = (text: string): unknown => load(text);
      badConfig(
        () => listIdTokens('job:\n  script: !reference [.setup, script]\n', bareLoad),
        /unknown tag/,
        /does not know GitLab's !reference tag/,
      );
    });

    it('a top level that is not a mapping', () => {
      badConfig(() => listIdTokens('- a\n- b\n', parseYaml), /top level/);
    });

    it('an id_tokens entry without aud, and id_tokens that is not a mapping', () => {
      badConfig(
        () => listIdTokens('job:\n  id_tokens:\n    T:\n      audience: x\n', parseYaml),
        /job "job": id_tokens: T needs an "aud"/,
      );
      badConfig(
        () => listIdTokens('default:\n  id_tokens: [T]\njob: {script: [x]}\n', parseYaml),
        /default: id_tokens must be a mapping/,
      );
    });

    it('a parser failure that is not an Error', () => {
      badConfig(
        () =>
          listIdTokens('x', () => {
            throw 'boom';
          }),
        /not valid YAML: boom/,
      );
    });
  });
});

describe('idTokensBlock', () => {
  it('writes an id_tokens block nested by the indent given', () => {
    assert.equal(
      idTokensBlock('ID_TOKEN_1', 'https://vault.example.com'),
      'id_tokens:\n  ID_TOKEN_1:\n    aud: https://vault.example.com\n',
    );
    assert.equal(
      idTokensBlock('T', 'sts.amazonaws.com', '    '),
      'id_tokens:\n    T:\n        aud: sts.amazonaws.com\n',
    );
    assert.equal(idTokensBlock('T', 'x', '  ', { entryOnly: true }), 'T:\n  aud: x\n');
  });

  const tricky = [
    'https://api.example.com/ a',
    'https://api.example.com/?a=1#frag',
    'true',
    'no',
    '123',
    '1e3',
    'a: b',
    '$CI_SERVER_URL',
    '[x]',
    '*alias',
    'say "hi" \\ back',
    ' padded ',
    'ünï',
    '',
  ];
  for (const aud of tricky) {
    it(`quotes ${JSON.stringify(aud)} so YAML reads it back unchanged`, () => {
      const text = idTokensBlock('T', aud);
      const parsed = parseYaml(text) as { id_tokens: { T: { aud: unknown } } };
      assert.equal(parsed.id_tokens.T.aud, aud);
      assert.match(text, /aud: "/);
    });
  }

  it('refuses a variable name GitLab would not accept', () => {
    badConfig(() => idTokensBlock('$ID_TOKEN', 'x'), /not a CI\/CD variable name/);
    badConfig(() => idTokensBlock('1TOKEN', 'x'));
    badConfig(() => idTokensBlock('MY-TOKEN', 'x'));
  });
});

describe('findInsertionPoint', () => {
  it("points after the job's key line at its child indentation", () => {
    assert.deepEqual(findInsertionPoint(PIPELINE, 'test'), {
      line: lineOf(PIPELINE, 'test:') + 1,
      indent: '  ',
      unit: '  ',
      entryOnly: false,
    });
  });

  it('round-trips: the inserted block is found by listIdTokens, on its line', () => {
    const text = insert(PIPELINE, 'test', 'ID_TOKEN_1', 'https://api.example.com/?a=1&b=2');
    const found = listIdTokens(text, parseYaml).filter((t) => t.job === 'test');
    assert.deepEqual(found, [
      {
        job: 'test',
        variable: 'ID_TOKEN_1',
        aud: 'https://api.example.com/?a=1&b=2',
        line: lineOf(PIPELINE, 'test:') + 2,
      },
    ]);
  });

  it('adds an entry to an existing id_tokens block instead of a duplicate key', () => {
    const point = findInsertionPoint(PIPELINE, 'deploy');
    assert.deepEqual(point, {
      line: lineOf(PIPELINE, 'id_tokens:', lineOf(PIPELINE, 'deploy:')) + 1,
      indent: '    ',
      unit: '  ',
      entryOnly: true,
    });
    const text = insert(PIPELINE, 'deploy', 'VAULT_TOKEN', 'vault');
    assert.deepEqual(
      listIdTokens(text, parseYaml)
        .filter((t) => t.job === 'deploy')
        .map((t) => t.variable),
      ['VAULT_TOKEN', 'GCP_ID_TOKEN'],
    );
  });

  it('follows a four-space file, CRLF line ends, and a last job without a newline', () => {
    const text = 'build:\r\n    script:\r\n        - make\r\nrelease:';
    const four = insert(text, 'build', 'T', 'a');
    assert.ok(four.includes('\r\n    id_tokens:\r\n        T:\r\n            aud: a\r\n'));
    assert.deepEqual(listIdTokens(four, parseYaml), [
      { job: 'build', variable: 'T', aud: 'a', line: 2 },
    ]);
    const point = findInsertionPoint(text, 'release');
    assert.deepEqual(point, { line: 4, indent: '  ', unit: '  ', entryOnly: false });
  });

  it('inserts into a template and into a job after a comment and an anchor', () => {
    const text =
      '.base: &base # shared\n  # setup\n  image: node\njob:\n  <<: *base\n  script: [x]\n';
    const withBlock = insert(insert(text, '.base', 'A', 'a'), 'job', 'B', 'b');
    assert.deepEqual(
      listIdTokens(withBlock, parseYaml).map((t) => [t.job, t.variable, t.template ?? false]),
      [
        ['.base', 'A', true],
        ['job', 'B', false],
      ],
    );
  });

  it('is undefined where a block cannot go', () => {
    assert.equal(findInsertionPoint(PIPELINE, 'nope'), undefined);
    assert.equal(findInsertionPoint('job: {script: [x]}\n', 'job'), undefined);
    assert.equal(
      findInsertionPoint('job:\n  id_tokens: {A: {aud: x}}\n  script: [x]\n', 'job'),
      undefined,
    );
    // A nested key of the same name is not the job.
    assert.equal(findInsertionPoint('other:\n  job:\n    x: 1\n', 'job'), undefined);
  });
});
