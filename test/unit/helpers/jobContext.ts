// Set-up shared by the job-token and Azure source tests: a context whose environment is a given
// set of variables (real processes for the fake CLIs), and what one detector finds.
import * as assert from 'node:assert/strict';
import { nodeProcessRunner } from '../../../src/core/node/processRunner';
import type { ProviderContext } from '../../../src/core/providers/provider';
import { type Detector, detectCredentials } from '../../../src/core/wizard';
import { testContext } from '../../helpers/context';

/** A context whose environment holds exactly `vars`, running real processes. */
export function envContext(
  vars: Record<string, string | undefined>,
  extra: Partial<ProviderContext> = {},
): ProviderContext {
  return {
    ...testContext({ runner: nodeProcessRunner, timeoutMs: 15_000 }),
    env: { get: (name) => vars[name], homeDir: '/nonexistent', platform: process.platform },
    ...extra,
  };
}

/** What Detect Credentials finds with this one detector (failing on any reported problem). */
export async function detected(detector: Detector, ctx: ProviderContext) {
  const report = await detectCredentials([detector], ctx, {
    timeoutMs: 10_000,
    environmentNames: () => [],
  });
  assert.deepEqual(report.problems, []);
  return report.found;
}
