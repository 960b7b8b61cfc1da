// The cost a user pays for the extension: a cold require of the host bundle plus activate(), each
// in a fresh Node process with `vscode` stubbed (bench/activateProcess.ts), and the .vsix size.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, percentile, row } from './report';

const SAMPLES = 15;

/** Medians of require and activate() time over fresh processes. */
function coldActivation(bundle: string): { requireMs: number[]; activateMs: number[] } {
  const child = join(__dirname, 'activateProcess.js');
  const requireMs: number[] = [];
  const activateMs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const out = execFileSync(process.execPath, [child, bundle], { encoding: 'utf8' });
    const sample = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
      requireMs: number;
      activateMs: number;
    };
    requireMs.push(sample.requireMs);
    activateMs.push(sample.activateMs);
  }
  return { requireMs, activateMs };
}

const spread = (values: number[]): string =>
  `${median(values).toFixed(1)} ms (p90 ${percentile(values, 0.9).toFixed(1)})`;

/** Packs the extension as `npm run package` does and returns the .vsix size in KB. */
function vsixKb(root: string): number | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'token-explorer-vsix-'));
  try {
    const out = join(dir, 'token-explorer.vsix');
    const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const result = spawnSync(
      process.execPath,
      [
        vsce,
        'package',
        '--no-dependencies',
        '--allow-missing-repository',
        '--no-rewrite-relative-links',
        '--out',
        out,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    if (result.status !== 0) {
      console.error(result.stderr);
      return undefined;
    }
    return statSync(out).size / 1024;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the host bundle(s), cold require + activate(), and the .vsix size. */
export function benchActivation(root: string): void {
  const dist = join(root, 'dist');
  const bundles = readdirSync(dist).filter((name) => name.endsWith('.js'));
  for (const name of bundles) {
    row(`dist/${name} (minified)`, `${(statSync(join(dist, name)).size / 1024).toFixed(1)} KB`);
  }
  const { requireMs, activateMs } = coldActivation(join(dist, 'extension.js'));
  const total = requireMs.map((value, i) => value + (activateMs[i] ?? 0));
  row(`require dist/extension.js, cold (${SAMPLES} processes)`, spread(requireMs));
  row('activate() (VS Code API stubbed)', spread(activateMs));
  row('require + activate()', spread(total));
  const vsix = vsixKb(root);
  row('.vsix (npm run package)', vsix === undefined ? 'vsce failed' : `${vsix.toFixed(1)} KB`);
}
