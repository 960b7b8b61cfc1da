import { errorMessage } from '../../errors';
import { kubernetesNameProblem, kubernetesNamespaceProblem } from '../../inputRules';
import { remediesFor } from '../../remedies';
import { type AccountDraft, type WizardPorts, type WizardStep, askPastMissing } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { type Kubeconfig, listContexts, loadKubeconfig } from './kubeconfig';
import { kubernetesProvider } from './tokenRequest';

/** Credentials the TokenRequest API call can use itself (exec plugins run as kubectl runs them); others go through kubectl. */
const DIRECT_AUTH = ['token', 'client-certificate', 'none', 'exec'];

/**
 * The kubeconfig to list contexts from: the default one, or, when it is missing or broken, one
 * the user picks (kept in the account's "kubeconfig" setting). 'addAnyway': none, saved as is.
 */
async function chooseKubeconfig(
  draft: AccountDraft,
  ports: WizardPorts,
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
      const next = await askPastMissing(ports, errorMessage(error), remediesFor(error), {
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
): Promise<{ namespace: string; serviceAccount: string } | undefined> {
  const namespace = await ui.input({
    title: 'Kubernetes: namespace',
    value: namespaceHint,
    validate: (v) => (v.trim() === '' ? undefined : kubernetesNamespaceProblem(v)),
  });
  if (namespace === undefined) return undefined;
  const serviceAccount = await ui.input({
    title: 'Kubernetes: service account name',
    validate: kubernetesNameProblem,
  });
  if (!serviceAccount) return undefined;
  return { namespace: namespace.trim() || 'default', serviceAccount: serviceAccount.trim() };
}

/** Picks a kubeconfig context, then the namespace and the service account's name. */
const chooseServiceAccount: WizardStep = async (draft, ports) => {
  const { ui } = ports;
  if (draft.settings.serviceAccount) return draft;
  const loaded = await chooseKubeconfig(draft, ports);
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
    detail: 'Bound service-account tokens with your audience, from the cluster in your kubeconfig.',
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
  /** One candidate per kubeconfig context (KUBECONFIG or ~/.kube/config); none without one. */
  async detect({ context }) {
    const config = await loadKubeconfig(context, { allowMissingDefault: true });
    return listContexts(config).map((c) => ({
      label: `$(server-process) Kubernetes context ${c.name}`,
      description: [c.current ? 'current' : '', c.server ?? c.cluster].filter(Boolean).join(' · '),
      detail: 'TokenRequest for a service account; pick the namespace and name next.',
      draft: { kind: 'kubernetes', settings: { context: c.name } },
    }));
  },
};
