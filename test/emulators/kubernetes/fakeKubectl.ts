import { makeFakeCli } from '../fakeCli';

/** A kubeconfig context as the fake kubectl knows it. */
export interface FakeKubectlContext {
  readonly namespace?: string;
  /** The bearer token sent to the API server; none means anonymous. */
  readonly token?: string;
}

/** `old-kubectl` answers like kubectl before 1.24, which has no `create token`. */
export type FakeKubectlFault = 'none' | 'old-kubectl';

/** What a test says about the fake kubectl's world. */
export interface FakeKubectlSetup {
  /** The API server, e.g. KubeApiServer.url. */
  readonly server: string;
  /** The CA that signs the server's certificate, PEM. */
  readonly caPem: string;
  readonly currentContext?: string;
  readonly contexts: Readonly<Record<string, FakeKubectlContext>>;
  readonly fault?: FakeKubectlFault;
  /** Stdout and stderr come out coloured, as through a pipe with FORCE_COLOR (terminalColour.mjs). */
  readonly colour?: boolean;
}

export interface FakeKubectl {
  /** The executable to run as kubectl: a wrapper that points kubectl.mjs at this state. */
  readonly path: string;
  /** Replaces parts of the state for the following runs. */
  update(changes: Partial<FakeKubectlSetup>): Promise<void>;
  /** The arguments of every run so far, oldest first. */
  calls(): Promise<string[][]>;
  cleanup(): Promise<void>;
}

/**
 * Writes a fake kubectl's state to a temp folder, and a wrapper executable that runs
 * test/emulators/kubernetes/kubectl.mjs with it. Point `kubectlPath` at `path`.
 */
export async function makeFakeKubectl(setup: FakeKubectlSetup): Promise<FakeKubectl> {
  const { path, update, calls, cleanup } = await makeFakeCli<FakeKubectlSetup>({
    name: 'kubectl',
    script: 'kubernetes/kubectl.mjs',
    stateEnv: 'FAKE_KUBECTL_STATE',
    logEnv: 'FAKE_KUBECTL_LOG',
    state: setup,
  });
  return { path, update, calls, cleanup };
}
