import { homedir } from 'node:os';
import type { Environment } from '../ports';

/** The real process environment, home folder and platform. */
export const nodeEnvironment: Environment = {
  get: (name) => process.env[name],
  get homeDir() {
    return homedir();
  },
  platform: process.platform,
};
