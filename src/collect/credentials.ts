import { CredentialsError } from '../errors.js';
import { type ClassifiedError, codeAndDetail } from './aws-errors.js';

/** How the credentials in use are named in messages: the profile, or the default chain. */
function identityLabel(profile?: string): string {
  const name = profile ?? process.env.AWS_PROFILE;
  return name ? `profile "${name}"` : 'default credential chain';
}

/**
 * The SDK's default chain found no credentials anywhere (no environment variables, no shared
 * files, no SSO session, no container or instance role): its CredentialsProviderError says
 * "Could not load credentials from any providers". A named profile that is missing or holds no
 * credentials says "Could not resolve credentials using profile: [name]".
 */
const NONE_FOUND =
  /Could not load credentials from any providers|Could not resolve credentials using profile/i;

/**
 * The error for unusable credentials: names them and says what to do. No credentials at all is
 * not something to refresh: it says so, and offers `--demo` (no AWS needed), `aws configure` and
 * `aws sso login`. Expired or refused credentials are to be refreshed.
 */
export function credentialsError(
  profile: string | undefined,
  detail: string,
  cause: unknown,
): CredentialsError {
  const label = identityLabel(profile);
  const causeMessage = (cause as { message?: unknown } | null)?.message;
  if (NONE_FOUND.test(detail) || (typeof causeMessage === 'string' && NONE_FOUND.test(causeMessage)))
    return new CredentialsError(
      label,
      `no AWS credentials were found${profile ? ` for profile "${profile}"` : ' (no environment variables, shared credentials or config file, SSO session or instance role)'}. ` +
        `Set them up with aws configure${profile ? ` --profile ${profile}` : ''}, or aws sso login${profile ? ` --profile ${profile}` : ''} for IAM Identity Center; ` +
        'or try kms-report --demo, which needs no AWS account',
      { cause },
    );
  return new CredentialsError(
    label,
    `${detail}. Refresh them (for SSO: aws sso login${profile ? ` --profile ${profile}` : ''}) and run again.`,
    { cause },
  );
}

/** {@link credentialsError} for a classified AWS failure: its code and what the service said. */
export function awsCredentialsError(
  profile: string | undefined,
  failure: Pick<ClassifiedError, 'code' | 'message'>,
  cause: unknown,
): CredentialsError {
  return credentialsError(profile, codeAndDetail(failure), cause);
}
