#!/usr/bin/env node
// A fake client-go exec credential plugin (gke-gcloud-auth-plugin, `aws eks get-token`,
// kubelogin all speak this): it reads KUBERNETES_EXEC_INFO, appends it as one JSON line to the
// file named by FAKE_EXEC_LOG, and prints an ExecCredential whose status holds FAKE_EXEC_TOKEN
// and an expirationTimestamp FAKE_EXEC_EXPIRES_IN seconds from now (none when unset), in the API
// version FAKE_EXEC_API_VERSION (default: the one in KUBERNETES_EXEC_INFO). The shapes are
// client-go's pkg/apis/clientauthentication/v1 ExecCredential{Spec, Status}.
import { appendFileSync } from 'node:fs';

const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO ?? '{}');
if (process.env.FAKE_EXEC_LOG) {
  appendFileSync(
    process.env.FAKE_EXEC_LOG,
    `${JSON.stringify({ info, argv: process.argv.slice(2) })}\n`,
  );
}
if (process.env.FAKE_EXEC_FAIL) {
  process.stderr.write(`${process.env.FAKE_EXEC_FAIL}\n`);
  process.exit(1);
}
const expiresIn = process.env.FAKE_EXEC_EXPIRES_IN;
process.stdout.write(
  JSON.stringify({
    kind: 'ExecCredential',
    apiVersion: process.env.FAKE_EXEC_API_VERSION ?? info.apiVersion,
    spec: {},
    status: {
      token: process.env.FAKE_EXEC_TOKEN,
      ...(expiresIn !== undefined
        ? { expirationTimestamp: new Date(Date.now() + Number(expiresIn) * 1000).toISOString() }
        : {}),
    },
  }),
);
