// The AWS SDK's credential chain and shared-config reader, bundled apart as dist/awsSdk.js and
// loaded only when an aws-sts account calls STS without the aws CLI (see
// src/extension/adapters/awsSdkLoader.ts): activation neither loads nor waits for it.
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { loadSharedConfigFiles } from '@smithy/core/config';
import type { AwsSdk } from '../providers/aws/native';

/**
 * `fromNodeProviderChain` (= `defaultProvider`): environment, SSO cache, shared config and
 * credentials files, credential_process, web identity token file, ECS container and EC2 IMDSv2
 * credentials, in the SDK's order; `region` reads the profile's from ~/.aws/config.
 */
export const awsSdk: AwsSdk = {
  async credentials(profile) {
    const { accessKeyId, secretAccessKey, sessionToken } = await defaultProvider(
      profile ? { profile } : {},
    )();
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  },
  async region(profile) {
    const { configFile } = await loadSharedConfigFiles();
    return configFile[profile ?? 'default']?.region;
  },
};
