/** A trimmed, non-empty string setting, or undefined for anything else (settings.json is free-form). */
export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
