import { TokenExplorerError } from '../errors';
import { yamlProblemInWords } from '../yamlProblem';
import { checkAwsTrustPolicy, looksLikeAwsPolicy } from './aws';
import { checkEntraCredentials, looksLikeEntraCredential } from './entra';
import { checkGcpProvider, looksLikeGcpProvider } from './gcp';
import { checkSubjectTemplate, subjectTemplateKind } from './subjectTemplate';
import { type TrustInput, type TrustReport, isRecord } from './types';
import { checkVaultRole, looksLikeVaultRole } from './vault';

/** Parses YAML into plain data (injected: js-yaml lives in the lazily loaded bundle). */
export type YamlParser = (text: string) => unknown;

const KINDS =
  'an AWS IAM role trust policy, a Google Cloud workload identity pool provider (gcloud … describe, JSON or YAML), ' +
  'a Microsoft Entra federated identity credential, a Vault JWT role (vault read -format=json), ' +
  'or a GitHub/GitLab sub template';

/**
 * "Would this trust accept it?": detects the kind of trust definition in `text` (JSON, or YAML
 * through `parseYaml`) and evaluates it against the token's claims.
 * @throws TokenExplorerError `bad-config` when the text is not a trust definition we know.
 */
export function checkTrust(text: string, input: TrustInput, parseYaml: YamlParser): TrustReport {
  const doc = parseDefinition(text, parseYaml);
  if (looksLikeEntraCredential(doc)) return checkEntraCredentials(doc, input);
  if (!isRecord(doc)) throw notATrust('it is not a JSON or YAML object');
  if (looksLikeAwsPolicy(doc)) return checkAwsTrustPolicy(doc, input);
  if (looksLikeGcpProvider(doc)) return checkGcpProvider(doc, input);
  if (subjectTemplateKind(doc)) return checkSubjectTemplate(doc, input);
  if (looksLikeVaultRole(doc)) return checkVaultRole(doc, input);
  throw notATrust('none of its fields is one these kinds have');
}

function parseDefinition(text: string, parseYaml: YamlParser): unknown {
  const trimmed = text.trim();
  if (!trimmed) throw notATrust('it is empty');
  try {
    return JSON.parse(trimmed);
  } catch {
    try {
      return parseYaml(trimmed);
    } catch (error) {
      throw notATrust(`it is neither JSON nor YAML (${yamlProblemInWords(error)})`);
    }
  }
}

function notATrust(why: string): TokenExplorerError {
  return new TokenExplorerError(
    'bad-config',
    `This is not a trust definition: ${why}. Paste ${KINDS}.`,
  );
}
