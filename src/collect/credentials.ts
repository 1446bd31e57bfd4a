import { CredentialsError } from '../errors.js';

/** How the credentials in use are named in messages: the profile, or the default chain. */
export function identityLabel(profile?: string): string {
  const name = profile ?? process.env.AWS_PROFILE;
  return name ? `profile "${name}"` : 'default credential chain';
}

/** The error for unusable credentials: names them and says how to refresh them. */
export function credentialsError(
  profile: string | undefined,
  detail: string,
  cause: unknown,
): CredentialsError {
  return new CredentialsError(
    identityLabel(profile),
    `${detail}. Refresh them (for SSO: aws sso login${profile ? ` --profile ${profile}` : ''}) and run again.`,
    { cause },
  );
}
