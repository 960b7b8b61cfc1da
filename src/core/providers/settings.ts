/** A trimmed, non-empty string setting, or undefined for anything else (settings.json is free-form). */
export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** `"name" must be text.` for each named setting that is present but not a string. */
export function nonTextSettings(
  settings: Readonly<Record<string, unknown>>,
  names: readonly string[],
): string[] {
  return names
    .filter((name) => settings[name] !== undefined && typeof settings[name] !== 'string')
    .map((name) => `"${name}" must be text.`);
}
