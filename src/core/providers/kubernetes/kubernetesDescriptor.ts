import { errorMessage } from '../../errors';
import { kubernetesNameProblem, kubernetesNamespaceProblem } from '../../inputRules';
import { remediesFor } from '../../remedies';
import { type AccountDraft, type WizardPorts, type WizardStep, askPastMissing } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { type Kubeconfig, listContexts, loadKubeconfig } from './kubeconfig';
import {
  IN_CLUSTER_ROOT,
  type PodServiceAccount,
  findPodServiceAccount,
  inClusterServer,
  noPodTokenMessage,
} from './inCluster';
import { kubernetesProvider } from './tokenRequest';

const IN_CLUSTER_LABEL = "$(server-process) Kubernetes in-cluster: this pod's service account";
const IN_CLUSTER_DETAIL =
  "Mints new tokens for the audience you choose (TokenRequest), authenticated as this pod; not the pod's own token file, whose audience is fixed.";

/** For "Add Anyway" outside a pod: the questions without the pod's answers. */
function noPod(): PodServiceAccount {
  return {
    server: 'the API server of the pod',
    root: IN_CLUSTER_ROOT,
    namespace: 'default',
    namespaceFrom: 'default',
  };
}

/** Credentials the TokenRequest API call can use itself (exec plugins run as kubectl runs them); others go through kubectl. */
const DIRECT_AUTH = ['token', 'client-certificate', 'none', 'exec'];

/**
 * The kubeconfig to list contexts from: the default one, or, when it is missing or broken, one
 * the user picks (kept in the account's "kubeconfig" setting). 'addAnyway': none, saved as is.
 */
async function chooseKubeconfig(
  draft: AccountDraft,
  ports: WizardPorts,
  podNote?: string,
): Promise<{ config: Kubeconfig; path?: string } | 'addAnyway' | undefined> {
  const { ui, context } = ports;
  let path = typeof draft.settings.kubeconfig === 'string' ? draft.settings.kubeconfig : undefined;
  for (;;) {
    try {
      return {
        config: await loadKubeconfig(context, path ? { path } : {}),
        ...(path ? { path } : {}),
      };
    } catch (error) {
      const said = podNote ? `${errorMessage(error)}\n${podNote}` : errorMessage(error);
      const next = await askPastMissing(ports, said, remediesFor(error), {
        addAnyway: true,
      });
      if (next === 'addAnyway') return 'addAnyway';
      if (next !== 'pickFile') return undefined;
      const file = await ui.pickFile({ title: 'Choose a kubeconfig', filters: {} });
      if (!file) return undefined;
      path = file.path;
    }
  }
}

/** Namespace and service account name, asked the same way with or without a context. */
async function askServiceAccount(
  ui: WizardPorts['ui'],
  namespaceHint: string,
  serviceAccountHint?: { value: string; prompt: string },
): Promise<{ namespace: string; serviceAccount: string } | undefined> {
  const namespace = await ui.input({
    title: 'Kubernetes: namespace',
    value: namespaceHint,
    validate: (v) => (v.trim() === '' ? undefined : kubernetesNamespaceProblem(v)),
  });
  if (namespace === undefined) return undefined;
  const serviceAccount = await ui.input({
    title: 'Kubernetes: service account name',
    ...(serviceAccountHint ?? {}),
    validate: kubernetesNameProblem,
  });
  if (!serviceAccount) return undefined;
  return { namespace: namespace.trim() || 'default', serviceAccount: serviceAccount.trim() };
}

/** Where the pod's namespace came from, for the pick row and the prompt. */
function namespaceOrigin(pod: PodServiceAccount): string {
  return pod.namespaceFrom === 'default'
    ? `namespace default (no ${pod.root}/namespace file)`
    : `namespace ${pod.namespace}`;
}

/**
 * The in-cluster account: the namespace (the pod's pre-filled) and the service account (the
 * pod's own pre-filled, else "default"), kept with "inCluster" so a kubeconfig that appears later
 * does not move it to another cluster.
 */
async function askInCluster(
  draft: AccountDraft,
  ui: WizardPorts['ui'],
  pod: PodServiceAccount,
): Promise<AccountDraft | undefined> {
  const namespace =
    typeof draft.settings.namespace === 'string' ? draft.settings.namespace : pod.namespace;
  const asked = await askServiceAccount(ui, namespace, {
    value: pod.serviceAccount ?? 'default',
    prompt: `Whose token to request from ${pod.server}${pod.serviceAccount ? ` (this pod runs as ${pod.serviceAccount})` : ''}. The pod's service account needs RBAC "create" on serviceaccounts/token for it, even for itself.`,
  });
  if (!asked) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, inCluster: true, ...asked, method: 'api' },
    name: draft.name ?? `in-cluster/${asked.namespace}/${asked.serviceAccount}`,
  };
}

/**
 * The pod this editor runs in, or, in a pod that cannot mint as itself (no readable token), why
 * not: said with the kubeconfig question that comes instead.
 */
async function findPod(
  context: WizardPorts['context'],
): Promise<{ pod?: PodServiceAccount; note?: string }> {
  try {
    const pod = await findPodServiceAccount(context);
    if (pod) return { pod };
    return inClusterServer(context.env) ? { note: noPodTokenMessage(context) } : {};
  } catch (error) {
    return { note: errorMessage(error) };
  }
}

/**
 * In a pod (KUBERNETES_SERVICE_HOST set, a token mounted), the pod's own cluster first, then
 * the kubeconfig's contexts; elsewhere a kubeconfig context. Then the namespace and the service
 * account's name.
 */
const chooseServiceAccount: WizardStep = async (draft, ports) => {
  const { ui } = ports;
  if (draft.settings.serviceAccount) return draft;
  const named = Boolean(draft.settings.context || draft.settings.kubeconfig);
  const { pod, note } = named ? {} : await findPod(ports.context);
  if (draft.settings.inCluster === true) {
    if (pod) return askInCluster(draft, ui, pod);
    const next = await askPastMissing(
      ports,
      "This editor does not run in a Kubernetes pod with a service-account token (KUBERNETES_SERVICE_HOST and the mounted token), so the pod's service account cannot be used here.",
      [],
      { addAnyway: true },
    );
    return next === 'addAnyway' ? askInCluster(draft, ui, noPod()) : undefined;
  }
  if (pod) {
    const where = await ui.pick(
      [
        {
          label: IN_CLUSTER_LABEL,
          description: `${pod.server} · ${namespaceOrigin(pod)}`,
          detail: IN_CLUSTER_DETAIL,
          inCluster: true,
        },
        {
          label: '$(file) A kubeconfig context',
          description: 'KUBECONFIG or ~/.kube/config, or a file you pick',
          inCluster: false,
        },
      ],
      { title: 'Kubernetes: which cluster?' },
    );
    if (!where) return undefined;
    if (where.inCluster) return askInCluster(draft, ui, pod);
  }
  const loaded = await chooseKubeconfig(draft, ports, note);
  if (loaded === undefined) return undefined;
  if (loaded === 'addAnyway') {
    // No kubeconfig yet: the account uses the current context of the one set up later.
    const asked = await askServiceAccount(ui, 'default');
    if (!asked) return undefined;
    return {
      ...draft,
      settings: { ...draft.settings, ...asked, method: 'api' },
      name: draft.name ?? `${asked.namespace}/${asked.serviceAccount}`,
    };
  }
  const config = loaded.config;
  const contexts = listContexts(config);
  const detected = contexts.find((c) => c.name === draft.settings.context);
  const picked = detected
    ? { label: detected.name, summary: detected }
    : await ui.pick(
        contexts.map((c) => ({
          label: c.name,
          description: [c.current ? 'current' : '', c.server ?? c.cluster]
            .filter(Boolean)
            .join(' · '),
          ...(DIRECT_AUTH.includes(c.auth)
            ? {}
            : { detail: `${c.auth} credentials: the kubectl method will be used` }),
          summary: c,
        })),
        { title: 'Kubernetes: context' },
      );
  if (!picked) return undefined;
  const asked = await askServiceAccount(ui, picked.summary.namespace ?? 'default');
  if (!asked) return undefined;
  const ns = asked.namespace;
  const serviceAccount = asked.serviceAccount;
  return {
    ...draft,
    settings: {
      ...draft.settings,
      ...(loaded.path ? { kubeconfig: loaded.path } : {}),
      context: picked.label,
      namespace: ns,
      serviceAccount,
      method: DIRECT_AUTH.includes(picked.summary.auth) ? 'api' : 'kubectl',
    },
    name: draft.name ?? `${picked.label}/${ns}/${serviceAccount}`,
  };
};

/** Bound service-account tokens from the TokenRequest API or `kubectl create token`. */
export const kubernetesDescriptor: ProviderDescriptor<'kubernetes'> = {
  kind: 'kubernetes',
  label: kubernetesProvider.label,
  icon: 'server-process',
  group: { id: 'kubernetes', label: 'Kubernetes' },
  audienceOptional: true,
  defaultAudienceIs: "the API server's own (its --api-audiences, usually its issuer)",
  pick: {
    label: 'Kubernetes service account',
    description: 'TokenRequest API (kubeconfig) or kubectl create token',
    detail:
      "Bound service-account tokens with your audience, from the cluster in your kubeconfig or, inside a pod, the pod's own cluster (in-cluster).",
  },
  schema: {
    description: 'Kubernetes: TokenRequest API or kubectl create token',
    settings: {
      context: {
        type: 'string',
        description: 'kubeconfig context (default: current-context).',
      },
      namespace: {
        type: 'string',
        description: 'Namespace of the service account (default: the context\'s, else "default").',
      },
      serviceAccount: {
        type: 'string',
        description: 'Service account name.',
      },
      kubeconfig: {
        type: 'string',
        description: 'kubeconfig file (default: KUBECONFIG, else ~/.kube/config).',
      },
      expirationSeconds: {
        type: 'number',
        default: 3600,
        minimum: 600,
        description: 'Requested lifetime (the API enforces at least 600 s).',
      },
      inCluster: {
        type: 'boolean',
        default: false,
        description:
          "Mint with the service account of the pod VS Code runs in (KUBERNETES_SERVICE_HOST/PORT and the mounted token, as client-go's in-cluster config), whatever kubeconfig exists. Without it, a kubeconfig wins and in-cluster is used only when there is none.",
      },
      method: {
        type: 'string',
        enum: ['api', 'kubectl'],
        default: 'api',
        description: 'TokenRequest API over TLS, or kubectl create token.',
      },
    },
  },
  create: () => kubernetesProvider,
  wizard: [chooseServiceAccount],
  /**
   * In a pod, its in-cluster config first (as client-go's `Possible`: both variables set and a
   * token mounted); then one candidate per kubeconfig context (KUBECONFIG or ~/.kube/config).
   * A broken kubeconfig is the detector's failure, unless the pod was found (then it is logged).
   */
  async detect({ context }) {
    const pod = await findPodServiceAccount(context).catch((error: unknown) => {
      context.logger.warn(`Detect Credentials, Kubernetes in-cluster: ${errorMessage(error)}`);
      return undefined;
    });
    const inCluster = pod
      ? [
          {
            label: IN_CLUSTER_LABEL,
            description: `${pod.server} · ${namespaceOrigin(pod)}`,
            detail: IN_CLUSTER_DETAIL,
            draft: {
              kind: 'kubernetes' as const,
              settings: { inCluster: true, namespace: pod.namespace },
            },
          },
        ]
      : [];
    let config: Kubeconfig;
    try {
      config = await loadKubeconfig(context, { allowMissingDefault: true });
    } catch (error) {
      if (!pod) throw error;
      context.logger.warn(`Detect Credentials, Kubernetes: ${errorMessage(error)}`);
      return inCluster;
    }
    return [
      ...inCluster,
      ...listContexts(config).map((c) => ({
        label: `$(server-process) Kubernetes context ${c.name}`,
        description: [c.current ? 'current' : '', c.server ?? c.cluster]
          .filter(Boolean)
          .join(' · '),
        detail: 'TokenRequest for a service account; pick the namespace and name next.',
        draft: { kind: 'kubernetes' as const, settings: { context: c.name } },
      })),
    ];
  },
};
