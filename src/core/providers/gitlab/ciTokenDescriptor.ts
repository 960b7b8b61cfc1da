import { existingFileProblem, variableNameProblem } from '../../inputRules';
import type { WizardStep } from '../../wizard';
import type { ProviderDescriptor } from '../descriptor';
import { gitlabCiProvider, gitlabEnvironmentTokens } from './ciToken';

/** Typed text that names a file rather than a variable. */
function isPath(text: string): boolean {
  return /[/\\]/.test(text);
}

/** Picks a variable that holds the job's ID token, or takes a variable name or file path. */
const chooseSource: WizardStep = async (draft, { ui, context, environmentNames }) => {
  if (draft.settings.variable || draft.settings.file) return draft;
  const found = gitlabEnvironmentTokens(context.env, environmentNames());
  const typed = '$(edit) Another variable or a file…';
  const picked = await ui.pick(
    [
      ...found.map((f) => ({
        label: `$${f.variable}`,
        description: 'holds a GitLab ID token',
        variable: f.variable,
      })),
      { label: typed, variable: '' },
    ],
    { title: "GitLab CI: where is the job's ID token?" },
  );
  if (!picked) return undefined;
  if (picked.variable) {
    return {
      ...draft,
      settings: { ...draft.settings, variable: picked.variable },
      name: draft.name ?? `GitLab CI $${picked.variable}`,
    };
  }
  const value = await ui.input({
    title: 'GitLab CI',
    prompt: 'An environment variable name (as declared under id_tokens:) or an absolute file path',
    placeHolder: 'ID_TOKEN_1',
    validate: (v) => (isPath(v) ? existingFileProblem(context.files, v) : variableNameProblem(v)),
  });
  if (!value?.trim()) return undefined;
  const isFile = isPath(value);
  return {
    ...draft,
    settings: {
      ...draft.settings,
      ...(isFile ? { file: value.trim() } : { variable: value.trim() }),
    },
    name: draft.name ?? `GitLab CI ${isFile ? value.trim() : `$${value.trim()}`}`,
  };
};

/** The ID token GitLab CI/CD gives the job VS Code runs in (an id_tokens variable or file). */
export const gitlabCiDescriptor: ProviderDescriptor<'gitlab-ci'> = {
  kind: 'gitlab-ci',
  label: gitlabCiProvider.label,
  icon: 'git-merge',
  group: { id: 'gitlab', label: 'GitLab CI' },
  audienceOptional: true,
  defaultAudienceIs: 'the one the id_tokens entry of .gitlab-ci.yml declares',
  pick: {
    label: 'GitLab CI job token',
    description: 'an id_tokens variable of the job VS Code runs in',
    detail: 'For editors started inside a CI job, a dev container or GitLab Workspaces.',
  },
  schema: {
    description: 'GitLab CI: the ID token of the job VS Code runs in',
    settings: {
      variable: {
        type: 'string',
        description:
          "Environment variable holding the job's ID token (declared in .gitlab-ci.yml id_tokens).",
      },
      file: {
        type: 'string',
        description: 'A file holding the token, instead of a variable.',
      },
      instanceUrl: {
        type: 'string',
        default: 'https://gitlab.com',
        description: 'The GitLab instance (issuer) URL.',
      },
    },
  },
  create: () => gitlabCiProvider,
  wizard: [chooseSource],
  /** One candidate per environment variable that holds a GitLab ID token. */
  async detect({ context, environmentNames }) {
    return gitlabEnvironmentTokens(context.env, environmentNames()).map((f) => ({
      label: `$(git-merge) GitLab CI $${f.variable}`,
      description: 'holds a GitLab ID token',
      draft: {
        kind: 'gitlab-ci',
        settings: { variable: f.variable },
        name: `GitLab CI $${f.variable}`,
      },
    }));
  },
};
