import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as LazyModule from '../lazy';

export type Lazy = typeof LazyModule;
let loaded: Lazy | undefined;

/**
 * The providers, the account wizard, the local issuer and js-yaml, from dist/lazy.js: required
 * on first use, so activation loads only what the inspector and the tree need.
 */
export function lazy(): Lazy {
  loaded ??= createRequire(__filename)(join(__dirname, 'lazy.js')) as Lazy;
  return loaded;
}
