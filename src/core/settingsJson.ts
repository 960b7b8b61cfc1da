// The ES module build: the package's UMD main requires its parts at run time, which a bundle lacks.
import { findNodeAtLocation, parseTree } from 'jsonc-parser/lib/esm/main.js';

/**
 * Where the account with id `accountId` is written in a settings.json text (JSON with comments and
 * trailing commas, as VS Code writes and reads it): the offset and length, in UTF-16 code units,
 * of its object in the `key` array (e.g. `tokenExplorer.accounts`); undefined when the text has
 * no such array or no object with that `id`. Uses jsonc-parser, VS Code's own JSONC parser.
 */
export function accountRange(
  text: string,
  key: string,
  accountId: string,
): { readonly offset: number; readonly length: number } | undefined {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const accounts = root && findNodeAtLocation(root, [key]);
  if (accounts?.type !== 'array') return undefined;
  const entry = accounts.children?.find(
    (item) => item.type === 'object' && findNodeAtLocation(item, ['id'])?.value === accountId,
  );
  return entry ? { offset: entry.offset, length: entry.length } : undefined;
}
