import type { ProviderDescriptor } from '../descriptor';
import { userIdentityProvider } from './userIdentity';
import { GOOGLE_GROUP, adcOrigin, detectedAdc } from './wizardSteps';

/** The user's own Google identity: the id_token of an authorized_user ADC refresh. */
export const userIdentityDescriptor: ProviderDescriptor<'google-user'> = {
  kind: 'google-user',
  label: userIdentityProvider.label,
  icon: 'account',
  group: GOOGLE_GROUP,
  audienceOptional: true,
  defaultAudienceIs:
    "the OAuth client id of your credentials, the only one a user's ID token can have",
  pick: {
    label: 'Your own Google identity',
    description: 'ADC authorized_user (gcloud auth application-default login)',
    detail: 'For Cloud Run services that accept user tokens; the audience is the OAuth client id.',
  },
  schema: {
    description: 'Your own Google identity (ADC authorized_user id_token)',
    settings: {
      credentialsFile: {
        type: 'string',
        description: 'An authorized_user ADC file instead of the standard search order.',
      },
    },
  },
  create: () => userIdentityProvider,
  wizard: [],
  async detect(ports) {
    const adc = await detectedAdc(ports);
    if (adc instanceof Error || adc?.credentials?.type !== 'authorized_user') return [];
    return [
      {
        label: '$(account) Your Google identity (ADC)',
        description: adcOrigin(adc),
        detail: 'ID tokens for yourself, audience = the OAuth client id.',
        draft: { kind: 'google-user', settings: {} },
      },
    ];
  },
};
