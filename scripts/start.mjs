// `npm start [-- --folder DIR]`: builds, starts code-server on 127.0.0.1 with the extension in
// development mode and DIR (default: this repo) open, and prints the URL to open in a browser.
// Ctrl-C stops it (codeServer.mjs kills its process group).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, startCodeServer, workbenchUrl } from './lib/codeServer.mjs';

const { values } = parseArgs({ options: { folder: { type: 'string', default: repoRoot } } });
const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const server = await startCodeServer();
const url = workbenchUrl(server, {
  folder: resolve(values.folder),
  extensionDevelopmentPath: repoRoot,
});
console.log(
  `\nOpen ${url}\nin a browser. Rebuild with npm run build and reload the page; Ctrl-C stops.`,
);
// The server process is unref'd: keep this one alive until Ctrl-C.
setInterval(() => {}, 60_000);
