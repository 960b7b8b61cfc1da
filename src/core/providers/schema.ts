import type { JsonSchema } from './descriptor';
import { PROVIDERS } from './registry';

/** The setting whose schema is generated from the registry. */
export const ACCOUNTS_SETTING = 'tokenExplorer.accounts';

/**
 * The JSON schema of the `tokenExplorer.accounts` setting as package.json contributes it: the
 * common fields, `kind` as an enum of the registered kinds, and one `if kind … then settings`
 * block per descriptor. `npm run schema` writes it; a unit test fails when they differ.
 */
export function accountsSchema(): JsonSchema {
  return {
    type: 'array',
    default: [],
    scope: 'machine',
    markdownDescription:
      'Service accounts shown in the Token Explorer tree. Only non-secret settings live here: imported keys are kept in VS Code SecretStorage. Use **Token Explorer: Add Account…** rather than editing by hand.',
    items: {
      type: 'object',
      required: ['id', 'kind'],
      additionalProperties: false,
      properties: {
        id: {
          type: 'string',
          pattern: '^[A-Za-z0-9._-]+$',
          description: "Unique id (letters, digits, . _ -); also names the account's secrets.",
        },
        kind: {
          type: 'string',
          enum: PROVIDERS.map((p) => p.kind),
          enumDescriptions: PROVIDERS.map((p) => p.schema.description),
        },
        name: { type: 'string', description: 'Display name in the tree.' },
        defaultAudience: {
          type: 'string',
          description:
            'Audience preselected by Get ID Token, e.g. https://my-service-abc123-uc.a.run.app',
        },
        settings: { type: 'object', description: "Settings of the account's kind." },
      },
      allOf: PROVIDERS.map((p) => ({
        if: { properties: { kind: { const: p.kind } } },
        then: {
          properties: {
            settings: {
              type: 'object',
              additionalProperties: false,
              properties: p.schema.settings,
            },
          },
        },
      })),
    },
  };
}
