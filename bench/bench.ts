// `npm run bench`: prints the figures the issues track. Figures, not assertions: compare them
// with the targets by eye and in the issue notes.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import { TokenExplorerError } from '../src/core/errors';
import { findJwts } from '../src/core/jwt/find';
import { inspectToken } from '../src/core/jwt/inspect';
import { fuzzInputs } from '../test/fixtures/fuzz';
import { benchActivation } from './activation';
import { benchAdversarial } from './adversarial';
import { benchCache } from './cache';
import { benchMints } from './mint';
import { benchMoreMints } from './moreMints';
import { benchProxy } from './proxy';
import { median, row, time } from './report';

// The repository holding dist/: two levels above out/bench/bench.js unless TOKEN_EXPLORER_ROOT
// says otherwise (to bench a copy of dist/ while a build runs).
const root = process.env.TOKEN_EXPLORER_ROOT ?? join(__dirname, '..', '..');

async function main(): Promise<void> {
  console.log(`Token Explorer bench · node ${process.version} · ${new Date().toISOString()}\n`);
  const webviewKb = statSync(join(root, 'dist', 'webview', 'inspector.js')).size / 1024;
  benchActivation(root);
  row('dist/webview/inspector.js (minified)', `${webviewKb.toFixed(1)} KB`);

  const { privateKey } = await generateKeyPair('RS256');
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    iss: 'https://accounts.google.com',
    aud: 'https://my-service-abc123-uc.a.run.app',
    azp: '113774264463038321964',
    sub: '113774264463038321964',
    email: 'invoker@my-project.iam.gserviceaccount.com',
    email_verified: true,
    google: { compute_engine: { project_id: 'my-project', zone: 'us-central1-a' } },
  })
    .setProtectedHeader({
      alg: 'RS256',
      kid: 'f5f4bf46e52b31d9b6249f7309ad0338400680cd',
      typ: 'JWT',
    })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  for (let i = 0; i < 2000; i++) inspectToken(token);
  const runs = 20_000;
  const inspectMs = time(() => {
    for (let i = 0; i < runs; i++) inspectToken(token);
  });
  row(
    'decode + claim analysis, typical token',
    `${((inspectMs / runs) * 1000).toFixed(1)} µs/token`,
  );

  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 10 * 1024 * 1024; i++) {
    const line =
      i % 40 === 0
        ? `2026-11-21T10:00:${String(i % 60).padStart(2, '0')}Z INFO call ${i} Authorization: Bearer ${token} status=200`
        : `2026-11-21T10:00:${String(i % 60).padStart(2, '0')}Z INFO GET /api/v1/items/${i} user=alice latency=${i % 97}ms eyJ-partial`;
    lines.push(line);
    size += line.length + 1;
  }
  const log = lines.join('\n');
  let found = 0;
  const findMs = median(
    Array.from({ length: 7 }, () =>
      time(() => {
        found = findJwts(log).length;
      }),
    ),
  );
  row(`find all JWTs in a 10 MB log (${found} found)`, `${findMs.toFixed(1)} ms`, '≤ 50 ms');
  benchAdversarial(token, findMs);

  let inspected = 0;
  let rejected = 0;
  const fuzzMs = time(() => {
    for (const input of fuzzInputs(100_000, 7)) {
      try {
        inspectToken(input);
        inspected++;
      } catch (error) {
        if (!(error instanceof TokenExplorerError)) throw error;
        rejected++;
      }
    }
  });
  row(
    `fuzz 100,000 inputs (${inspected} inspected, ${rejected} rejected)`,
    `${(fuzzMs / 1000).toFixed(2)} s`,
    '0 uncaught',
  );

  console.log('');
  await benchCache();
  await benchMints();
  await benchMoreMints();
  console.log('');
  await benchProxy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
