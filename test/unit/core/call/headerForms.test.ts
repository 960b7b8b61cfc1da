import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { COPY_FORMS, formatToken, shellQuote } from '../../../../src/core/call/headerForms';
import { AUDIENCE_PRESETS, hasPlaceholders } from '../../../../src/core/call/audiencePresets';
import { serviceCoordinates } from '../../../../src/core/call/target';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln';

/** What a real POSIX shell makes of a line: runs it with sh and prints the argv/variable. */
function sh(script: string): string {
  return execFileSync('sh', ['-c', script], { encoding: 'utf8' });
}

describe('header forms', () => {
  it('the three header lines', () => {
    assert.equal(formatToken('authorization', TOKEN), `Authorization: Bearer ${TOKEN}`);
    assert.equal(
      formatToken('x-serverless-authorization', TOKEN),
      `X-Serverless-Authorization: Bearer ${TOKEN}`,
    );
    assert.equal(formatToken('proxy-authorization', TOKEN), `Proxy-Authorization: Bearer ${TOKEN}`);
  });

  it('a curl command a real shell parses into the intended words, whatever the URL holds', () => {
    const url = 'https://svc.example/a?q=it\'s $(touch /tmp/pwned) `id` "x"';
    const line = formatToken('curl', TOKEN, {
      url,
      method: 'post',
      headerForm: 'proxy-authorization',
    });
    assert.match(line, /^curl -X POST -H /);
    const words = sh(
      `set -- ${line.replace(/^curl /, '')}; for w in "$@"; do printf '%s\\n' "$w"; done`,
    );
    assert.deepEqual(words.trimEnd().split('\n'), [
      '-X',
      'POST',
      '-H',
      `Proxy-Authorization: Bearer ${TOKEN}`,
      url,
    ]);
  });

  it('an export line that sets exactly the token', () => {
    const line = formatToken('shell-export', "it's-odd", { variable: 'TOKEN' });
    assert.equal(sh(`${line}; printf '%s' "$TOKEN"`), "it's-odd");
    assert.match(
      formatToken('shell-export', TOKEN, { variable: 'bad name;rm' }),
      /^export ID_TOKEN=/,
    );
  });

  it('a .http request in REST Client / httpyac syntax', () => {
    assert.equal(
      formatToken('http-file', TOKEN, { url: 'https://svc.example/items', method: 'GET' }),
      `GET https://svc.example/items\nAuthorization: Bearer ${TOKEN}\n`,
    );
    assert.match(formatToken('http-file', TOKEN), /^GET https:\/\/SERVICE_URL\n/);
  });

  it('every form is listed once with an explanation', () => {
    assert.equal(new Set(COPY_FORMS.map((f) => f.form)).size, 6);
    assert.equal(shellQuote(''), "''");
  });
});

describe('audience presets', () => {
  it('offers the six presets, each explained; placeholders are detected', () => {
    assert.deepEqual(
      AUDIENCE_PRESETS.map((p) => p.audience).filter((a) => !hasPlaceholders(a)),
      ['sts.amazonaws.com', 'api://AzureADTokenExchange', 'sigstore'],
    );
    for (const preset of AUDIENCE_PRESETS) assert.ok(preset.explanation.length > 20, preset.label);
  });
});

describe('serviceCoordinates', () => {
  it('reads Cloud Run (both URL forms) and Cloud Functions URLs', () => {
    assert.deepEqual(serviceCoordinates(new URL('https://hello-123456789.europe-west1.run.app')), {
      service: 'hello',
      region: 'europe-west1',
    });
    assert.deepEqual(serviceCoordinates(new URL('https://my-svc-abc123xyz-uc.a.run.app')), {
      service: 'my-svc',
    });
    assert.deepEqual(
      serviceCoordinates(new URL('https://us-central1-my-proj.cloudfunctions.net/fn')),
      {
        region: 'us-central1',
        project: 'my-proj',
        service: 'fn',
      },
    );
    assert.deepEqual(serviceCoordinates(new URL('https://example.com')), {});
  });
});
