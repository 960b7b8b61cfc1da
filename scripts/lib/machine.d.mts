// Types of machine.mjs for its unit test (test/unit/scripts/machine.test.ts).
export interface Probes {
  platform: NodeJS.Platform;
  isRoot: boolean;
  env: Readonly<Record<string, string | undefined>>;
  which(command: string): string | undefined;
  exists(path: string): boolean;
  osRelease: string | undefined;
}
export interface Needs {
  browser: boolean;
  codeServerInstall: boolean;
}
export interface Plan {
  action: 'ready' | 'install' | 'instruct' | 'unsupported';
  missing: string[];
  commands: string[][];
  message: string;
}
export interface Backend {
  backend: 'electron' | 'code-server';
  xvfb: boolean;
  reason: string;
}
export function findChromium(probes: Probes): string | undefined;
export function planSystemPackages(needs: Needs, probes: Probes): Plan;
export function chooseBackend(probes: Probes & { hasVsCodeDownload: boolean }): Backend;
export function realProbes(): Probes;
export function ensureSystemPackages(needs: Needs): void;
