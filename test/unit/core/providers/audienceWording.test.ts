import * as assert from 'node:assert/strict';
import { audienceSchemeWarning } from '../../../../src/core/inputRules';
import { PROVIDERS } from '../../../../src/core/providers/registry';

describe('Audience questions, per kind', () => {
  it("names each audience-optional kind's own default audience, not every kind's", () => {
    const texts = new Set<string>();
    for (const descriptor of PROVIDERS.filter((d) => d.audienceOptional)) {
      const text = descriptor.audienceText?.prompt ?? descriptor.defaultAudienceIs;
      assert.ok(text, `${descriptor.kind} says what its default audience is`);
      texts.add(text);
    }
    // One text per kind: a shared list ("the OAuth client id, the service-account id, the API
    // server, …") would name other kinds' defaults.
    assert.equal(texts.size, PROVIDERS.filter((d) => d.audienceOptional).length);
  });

  it('warns about an audience without a scheme where the service compares it with its URL', () => {
    const kinds = PROVIDERS.filter((d) => d.audienceExpectsUrl).map((d) => d.kind);
    assert.deepEqual(kinds.sort(), [
      'google-gcloud',
      'google-impersonation',
      'google-metadata',
      'google-service-account-key',
    ]);
    assert.match(
      audienceSchemeWarning('my-service-abc123-uc.a.run.app') ?? '',
      /has no scheme: Cloud Run and Cloud Functions expect their URL \(https:\/\/my-service-abc123-uc\.a\.run\.app\)/,
    );
    for (const fine of [
      '',
      'https://my-service-abc123-uc.a.run.app',
      'http://127.0.0.1:8080',
      'api://my-app',
      '32555940559.apps.googleusercontent.com',
    ]) {
      assert.equal(audienceSchemeWarning(fine), undefined, fine);
    }
  });
});
