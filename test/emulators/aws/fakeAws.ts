import { type FakeCli, makeFakeCli } from '../fakeCli';

/** A profile of ~/.aws/config and ~/.aws/credentials as the fake aws CLI sees it. */
export interface FakeAwsProfile {
  /** Absent: the profile has no credentials ("Unable to locate credentials"). */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  readonly region?: string;
  /** An IAM Identity Center profile whose cached sign-in has expired. */
  readonly ssoExpired?: boolean;
}

/** What a test says about the fake aws CLI's world. */
export interface FakeAwsState {
  /** The STS endpoint it calls when no --endpoint-url is given (the STS emulator's URL). */
  readonly endpoint: string;
  readonly profiles: Readonly<Record<string, FakeAwsProfile>>;
  /** The profile used without --profile (AWS_PROFILE); `default` unless set. */
  readonly defaultProfile?: string;
  /** A CLI released before get-web-identity-token (November 2025). */
  readonly outdated?: boolean;
}

export type FakeAws = FakeCli<FakeAwsState>;

/**
 * Writes a fake `aws` executable (test/emulators/aws/aws.mjs) with this state to a temp folder;
 * point the account's `awsPath` at `path`.
 */
export function makeFakeAws(state: FakeAwsState): Promise<FakeAws> {
  return makeFakeCli({
    name: 'aws',
    script: 'aws/aws.mjs',
    stateEnv: 'FAKE_AWS_STATE',
    logEnv: 'FAKE_AWS_LOG',
    state,
  });
}
