#!/usr/bin/env node
// A fake Azure CLI for tests: `az account get-access-token --resource R --output json
// [--tenant T]` only. Output fields as az prints them: accessToken, expiresOn (a local
// date-time, "2021-09-27 16:16:30.921462": Azure/azure-cli issue 19700), expires_on (POSIX seconds,
// az ≥ 2.54: Azure/azure-cli PR 27476), subscription, tenant, tokenType "Bearer". Tokens are
// Entra-shaped v1.0 access tokens (iss https://sts.windows.net/TENANT/, aud the resource, appid,
// oid, tid: https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
// The error texts ("Please run 'az login' to setup account.", AADSTS500011) are the ones users
// report; their exact current wording is unconfirmed. State: FAKE_AZ_STATE; runs logged to
// FAKE_AZ_LOG.
import { appendFileSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';

const argv = process.argv.slice(2);
if (process.env.FAKE_AZ_LOG) appendFileSync(process.env.FAKE_AZ_LOG, `${JSON.stringify(argv)}\n`);
const state = JSON.parse(readFileSync(process.env.FAKE_AZ_STATE ?? '', 'utf8'));

function fail(message) {
  process.stderr.write(`ERROR: ${message}\n`);
  process.exit(1);
}

if (argv[0] !== 'account' || argv[1] !== 'get-access-token')
  fail(`'${argv.slice(0, 2).join(' ')}' is misspelled or not recognized by the system.`);
const flags = {};
for (let i = 2; i < argv.length; i++) {
  const name = argv[i].replace(/^--/, '');
  if (!['resource', 'output', 'tenant', 'scope', 'subscription'].includes(name))
    fail(`unrecognized arguments: ${argv[i]}`);
  flags[name] = argv[++i];
}
if (!state.loggedIn) fail("Please run 'az login' to setup account.");
const tenant = flags.tenant ?? state.tenant;
const resource = flags.resource ?? 'https://management.core.windows.net/';
if (!state.resources.includes(resource)) {
  fail(
    `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  );
}
const key = await importJWK(state.signingKey.privateJwk, 'RS256');
const iat = state.now ?? Math.floor(Date.now() / 1000);
const exp = iat + 3600;
const accessToken = await new SignJWT({
  aud: resource,
  iss: `https://sts.windows.net/${tenant}/`,
  iat,
  nbf: iat,
  exp,
  appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
  appidacr: '0',
  idp: `https://sts.windows.net/${tenant}/`,
  oid: state.objectId,
  sub: state.objectId,
  tid: tenant,
  upn: state.user,
  uti: randomUUID().replaceAll('-', '').slice(0, 22),
  ver: '1.0',
})
  .setProtectedHeader({
    typ: 'JWT',
    alg: 'RS256',
    x5t: state.signingKey.kid,
    kid: state.signingKey.kid,
  })
  .sign(key);
const local = new Date(exp * 1000);
const pad = (n, w = 2) => String(n).padStart(w, '0');
const expiresOn = `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:${pad(local.getMinutes())}:${pad(local.getSeconds())}.000000`;
const answer = {
  accessToken,
  expiresOn,
  ...(state.oldCli ? {} : { expires_on: exp }),
  subscription: state.subscription,
  tenant,
  tokenType: 'Bearer',
};
process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
