import { KMSClient } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { KmsReportError } from '../errors.js';
import { awsAccountId } from '../model/account-id.js';
import { classifyAwsError, networkError } from './aws-errors.js';
import { awsCredentialsError } from './credentials.js';

/** Whose credentials a run uses: the account and the partition (`aws`, `aws-cn`, `aws-us-gov`...). */
export interface CallerIdentity {
  readonly account: string;
  readonly partition: string;
}

/**
 * Who the caller is (sts:GetCallerIdentity). Credentials that are missing, expired or refused are
 * a `CredentialsError` naming `profile`; an endpoint that cannot be reached a `NetworkError`.
 *
 * @example
 * ```ts
 * const { account } = await callerIdentity(awsClients().sts('eu-west-1'));
 * ```
 */
export async function callerIdentity(sts: STSClient, profile?: string): Promise<CallerIdentity> {
  let account: string;
  let arn: string | undefined;
  try {
    const who = await sts.send(new GetCallerIdentityCommand({}));
    if (!who.Account) throw new Error('GetCallerIdentity returned no account');
    account = who.Account;
    arn = who.Arn;
  } catch (error) {
    const e = classifyAwsError(error);
    if (e.kind === 'unreachable') throw networkError('sts:GetCallerIdentity', e, error);
    if (e.kind === 'credentials' || e.kind === 'region-unavailable' || e.kind === 'access-denied')
      throw awsCredentialsError(profile, e, error);
    throw new KmsReportError(
      `could not identify the account (sts:GetCallerIdentity: ${e.code} ${e.message})`,
      {
        cause: error,
      },
    );
  }
  // The account names the report's folders and files: an answer that is not an account id is refused.
  return { account: awsAccountId(account, 'sts:GetCallerIdentity'), partition: arn?.split(':')[1] ?? 'aws' };
}

/** The region the environment or `profile` configures (AWS_REGION, the profile's), if any. */
export async function configuredRegion(profile?: string): Promise<string | undefined> {
  return new KMSClient(profile ? { profile } : {}).config.region().catch(() => undefined);
}
