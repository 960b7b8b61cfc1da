// One build script: the extension host bundle (node, vscode external), the webview bundle
// (browser), and with --tests the unit, extension-host, e2e and bench entry points.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const withTests = args.has('--tests');

/** Every file under dir whose name matches pattern. */
function find(dir, pattern) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(find(path, pattern));
    else if (pattern.test(name)) out.push(path);
  }
  return out;
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  charset: 'utf8',
};

/**
 * undici (the outbound proxy agent) is half a megabyte: the extension bundle loads it from its own
 * file, dist/undici.js, only when a request goes through a proxy. Test bundles inline it.
 */
const undiciApart = {
  name: 'undici-apart',
  setup(build) {
    build.onResolve({ filter: /\/undiciAgents$/ }, () => ({ path: './undici.js', external: true }));
  },
};

const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [undiciApart],
  },
  {
    ...common,
    entryPoints: ['src/core/net/undiciAgents.ts'],
    outfile: 'dist/undici.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    // The AWS SDK's credential chain, loaded only when an aws-sts account calls STS without the
    // aws CLI (src/extension/adapters/awsSdkLoader.ts): kept out of the activation bundle.
    ...common,
    entryPoints: ['src/core/node/awsSdk.ts'],
    outfile: 'dist/awsSdk.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview/inspector.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

if (withTests) {
  builds.push({
    ...common,
    minify: false,
    sourcemap: 'inline',
    entryPoints: [
      ...find('test/unit', /\.test\.ts$/),
      ...find('test/integration', /\.ts$/),
      ...find('test/e2e', /\.ts$/),
      ...find('test/emulators', /\.ts$/),
      ...find('bench', /\.ts$/),
    ],
    outdir: 'out',
    outbase: '.',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: [
      'vscode',
      'mocha',
      'playwright-core',
      '@vscode/test-electron',
      'google-auth-library',
      'gcp-metadata',
      'recheck',
      'typescript',
    ],
  });
}

function copyCodicons() {
  const from = 'node_modules/@vscode/codicons/dist';
  mkdirSync('dist/codicons', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf'])
    cpSync(join(from, file), join('dist/codicons', file));
}

if (!watch) {
  rmSync('dist', { recursive: true, force: true });
  if (withTests) rmSync('out', { recursive: true, force: true });
}
copyCodicons();
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
