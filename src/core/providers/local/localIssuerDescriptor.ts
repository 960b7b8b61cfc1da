import { subjectProblem } from '../../inputRules';
import type { WizardStep } from '../../wizard';
import { detectNothing, type ProviderDescriptor } from '../descriptor';
import { DEFAULT_LOCAL_SUB, localIssuerProvider } from './localIssuerProvider';

/** Asks for the test tokens' subject. */
const askSubject: WizardStep = async (draft, { ui }) => {
  const sub = await ui.input({
    title: 'Local issuer',
    prompt: 'Subject (sub) of the test tokens',
    value: DEFAULT_LOCAL_SUB,
    validate: subjectProblem,
  });
  if (sub === undefined) return undefined;
  return {
    ...draft,
    settings: { ...draft.settings, sub: sub.trim() || DEFAULT_LOCAL_SUB },
    name: draft.name ?? `Local issuer: ${sub.trim() || DEFAULT_LOCAL_SUB}`,
  };
};

/** Test tokens signed by the local OIDC issuer of this window. */
export const localIssuerDescriptor: ProviderDescriptor<'local-issuer'> = {
  kind: 'local-issuer',
  label: 'Local issuer',
  icon: 'beaker',
  group: { id: 'local', label: 'Local Issuer' },
  audienceOptional: false,
  pick: {
    label: 'Local issuer',
    description: 'test tokens from an OIDC issuer on 127.0.0.1',
    detail: "For testing your own service's token validation.",
  },
  schema: {
    description: 'The local issuer (Start Local Issuer first)',
    settings: {
      sub: {
        type: 'string',
        default: 'test-user',
      },
      claims: {
        type: 'object',
        description: 'Extra claims for every minted token.',
      },
      expiresInSeconds: {
        type: 'number',
        default: 3600,
      },
    },
  },
  create: ({ localIssuer }) => localIssuerProvider(localIssuer),
  wizard: [askSubject],
  detect: detectNothing,
};
