/**
 * Diagnosis rules: one small function per cause of a 401/403, each returning its findings.
 * Facts about the real front ends are cited beside the rule that relies on them.
 */
export type { Rule, RuleContext } from './context';
export { GCLOUD_CLIENT_ID } from './context';
export { audienceRule, iapEmailRule, issuerRule, timeRule, tokenKindRule } from './tokenRules';
export {
  challengeRule,
  grantCommand,
  headerFormRule,
  outcomeRule,
  permissionRule,
  redirectRule,
} from './responseRules';
