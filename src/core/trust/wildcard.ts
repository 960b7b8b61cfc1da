/**
 * Wildcard matching without regular expressions: `*` matches any run of characters (also empty)
 * and, when `questionMark` is set, `?` matches one character. Greedy with one back-track point
 * (the last `*`), so the work is at most pattern length × text length and never exponential.
 *
 * - AWS `StringLike`: `*` and `?` (IAM condition operators,
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String).
 * - Vault `bound_claims_type: glob`: `*` only (ryanuber/go-glob, used by
 *   hashicorp/vault-plugin-auth-jwt claims.go `matchFound`).
 */
export function wildcardMatch(pattern: string, text: string, questionMark: boolean): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (p < pattern.length && c !== '*' && (c === text[t] || (questionMark && c === '?'))) {
      p++;
      t++;
    } else if (c === '*') {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
