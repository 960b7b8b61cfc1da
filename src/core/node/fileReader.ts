import { readFile, stat } from 'node:fs/promises';
import { TokenExplorerError } from '../errors';
import type { FileReader } from '../ports';

/** Why a file could not be read, in words, from Node's error code. */
function readFailure(code: string | undefined): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; check who may read the file';
    case 'EISDIR':
      return 'it is a folder, not a file; choose the file inside it';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open; try again in a moment';
    default:
      return code ?? 'unknown error';
  }
}

/** undefined for a missing file (or a folder on its path); a `bad-config` error otherwise. */
function missingOrThrow(error: unknown, path: string): undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
  throw new TokenExplorerError('bad-config', `Could not read ${path}: ${readFailure(code)}.`, {
    cause: error,
  });
}

/** Reads UTF-8 files from disk; undefined when the file (or a folder on its path) is missing. */
export const nodeFileReader: FileReader = {
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      return missingOrThrow(error, path);
    }
  },
  async stat(path) {
    try {
      const { mtimeMs, size } = await stat(path);
      return { mtimeMs, size };
    } catch (error) {
      return missingOrThrow(error, path);
    }
  },
};
