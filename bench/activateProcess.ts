// Run as its own Node process by bench/activation.ts: requires an extension bundle with the
// `vscode` module stubbed, calls activate(), and prints {"requireMs","activateMs"} as JSON. A fresh
// process per sample, so the require is cold, as when VS Code's extension host loads it.
import Module, { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

/**
 * A stand-in for the `vscode` module that answers every call with a disposable, so activate()'s
 * own cost (bundle evaluation, wiring) can be timed outside VS Code. VS Code's share is not in it.
 */
function vscodeShim(): unknown {
  const handler: ProxyHandler<() => unknown> = {
    get: (_target, key) => {
      if (key === 'then') return undefined;
      if (key === 'dispose') return () => undefined;
      return proxy;
    },
    // Adapters set properties (e.g. a status bar item's text); they are dropped.
    set: () => true,
    apply: () => proxy,
    construct: () => proxy as object,
  };
  const proxy: unknown = new Proxy(function shim() {}, handler);
  // esbuild's CommonJS interop copies the module's own properties onto an object that inherits
  // from the module's prototype, so a proxy prototype answers every name (enums included).
  return Object.create(proxy as object);
}

async function main(): Promise<void> {
  const bundle = process.argv[2];
  if (!bundle) throw new Error('usage: node activateProcess.js BUNDLE');
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  const shim = vscodeShim();
  loader._load = (request, ...rest) => (request === 'vscode' ? shim : original(request, ...rest));
  const started = performance.now();
  const extension = createRequire(__filename)(bundle) as {
    activate: (context: unknown) => unknown;
  };
  const requireMs = performance.now() - started;
  const context = { subscriptions: [] as { dispose(): unknown }[], extensionUri: {}, secrets: {} };
  const activated = performance.now();
  await extension.activate(context);
  const activateMs = performance.now() - activated;
  for (const subscription of context.subscriptions) subscription.dispose();
  console.log(JSON.stringify({ requireMs, activateMs }));
  process.exit(0);
}

void main();
