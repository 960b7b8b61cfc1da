import { errorMessage } from '../../errors';
import { kubernetesNameProblem, kubernetesNamespaceProblem } from '../../inputRules';
import type { WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { listContexts, loadKubeconfig } from './kubeconfig';
import { kubernetesProvider } from './tokenRequest';

/** Credentials the TokenRequest API call can use itself (exec plugins run as kubectl runs them); others go through kubectl. */
const DIRECT_AUTH = ['token', 'client-certificate', 'none', 'exec'];

/** Picks a kubeconfig context, then the namespace and the service account's name. */
const chooseServiceAccount: WizardStep = async (draft, { ui, context }) => {
  if (draft.settings.serviceAccount) return draft;
  const config = await loadKubeconfig(context).catch((error: unknown) => {
    ui.error(`Token Explorer: ${errorMessage(error)}`);
    return undefined;
  });
  if (!config) return undefined;
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
  const namespace = await ui.input({
    title: 'Kubernetes: namespace',
    value: picked.summary.namespace ?? 'default',
    validate: (v) => (v.trim() === '' ? undefined : kubernetesNamespaceProblem(v)),
  });
  if (namespace === undefined) return undefined;
  const serviceAccount = await ui.input({
    title: 'Kubernetes: service account name',
    validate: kubernetesNameProblem,
  });
  if (!serviceAccount) return undefined;
  const ns = namespace.trim() || 'default';
  return {
    ...draft,
    settings: {
      ...draft.settings,
      context: picked.label,
      namespace: ns,
      serviceAccount: serviceAccount.trim(),
      method: DIRECT_AUTH.includes(picked.summary.auth) ? 'api' : 'kubectl',
    },
    name: draft.name ?? `${picked.label}/${ns}/${serviceAccount.trim()}`,
  };
};

/** Bound service-account tokens from the TokenRequest API or `kubectl create token`. */
export const kubernetesDescriptor: ProviderDescriptor<'kubernetes'> = {
  kind: 'kubernetes',
  label: kubernetesProvider.label,
  icon: 'server-process',
  group: { id: 'kubernetes', label: 'Kubernetes' },
  audienceOptional: true,
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
