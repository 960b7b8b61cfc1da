import type { WizardStep } from '../../wizard';
import { detectNothing, type ProviderDescriptor } from '../descriptor';
import { customCommandProvider } from './command';

/** A JSON array of strings, or undefined. */
function parseArgv(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')
      ? (value as string[])
      : undefined;
  } catch {
    return undefined;
  }
}

/** Asks for the command as a JSON array (it runs without a shell). */
const askCommand: WizardStep = async (draft, { ui }) => {
  if (Array.isArray(draft.settings.command)) return draft;
  const text = await ui.input({
    title: 'Custom command',
    prompt: 'The command as a JSON array (run without a shell); {audience} is replaced',
    placeHolder: '["vault", "write", "-field=token", "identity/oidc/token/my-role"]',
    validate: (v) =>
      parseArgv(v)
        ? undefined
        : 'A JSON array of strings, e.g. ["my-tool", "token", "--aud", "{audience}"]',
  });
  const command = text === undefined ? undefined : parseArgv(text);
  if (!command) return undefined;
  return { ...draft, settings: { ...draft.settings, command }, name: draft.name ?? command[0] };
};

/** Any command that prints a token; user settings only, refused in untrusted workspaces. */
export const customCommandDescriptor: ProviderDescriptor<'custom-command'> = {
  kind: 'custom-command',
  label: customCommandProvider.label,
  icon: 'terminal-bash',
  group: { id: 'custom', label: 'Custom commands' },
  audienceOptional: false,
  pick: {
    label: 'Custom command',
    description: 'any command that prints a token ({audience} is replaced)',
    detail: 'Runs without a shell; user settings only, disabled in untrusted workspaces.',
  },
  schema: {
    description: 'A command you define (user settings only; disabled in untrusted workspaces)',
    settings: {
      command: {
        type: 'array',
        items: {
          type: 'string',
        },
        minItems: 1,
        description:
          'argv, run without a shell; {audience} is replaced. Example: ["vault", "write", "-field=token", "identity/oidc/token/my-role"]',
      },
      output: {
        type: 'string',
        enum: ['raw', 'json'],
        default: 'raw',
      },
      jsonField: {
        type: 'string',
        description: 'Dotted path of the token in JSON output, e.g. data.token.',
      },
      timeoutSeconds: {
        type: 'number',
        minimum: 1,
        maximum: 600,
      },
    },
  },
  create: () => customCommandProvider,
  wizard: [askCommand],
  detect: detectNothing,
};
