import type * as vscode from 'vscode';
import type { Logger } from '../../core/ports';

/** The core's Logger over the "Token Explorer" log output channel. */
export function channelLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    info: (message) => channel.info(message),
    warn: (message) => channel.warn(message),
    error: (message) => channel.error(message),
  };
}
