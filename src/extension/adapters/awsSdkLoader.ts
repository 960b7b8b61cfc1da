import { join } from 'node:path';
import type { AwsSdk } from '../../core/providers/aws/native';

let loaded: Promise<AwsSdk> | undefined;

/**
 * Loads dist/awsSdk.js (the AWS SDK's credential chain, a bundle of its own next to
 * dist/extension.js) on first use and keeps it.
 */
export function loadAwsSdk(): Promise<AwsSdk> {
  loaded ??= Promise.resolve().then(() => {
    // A computed path: esbuild leaves this require alone, so the SDK stays out of this bundle.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(join(__dirname, 'awsSdk.js')) as { awsSdk: AwsSdk };
    return module.awsSdk;
  });
  return loaded;
}
