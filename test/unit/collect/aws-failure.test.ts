import { describe, expect, it } from 'vitest';
import { AwsFailure, classifyAwsError, RegionCredentialsFailure } from '../../../src/collect/aws-errors.js';
import { KmsReportError } from '../../../src/errors.js';
import { AssumeRoleError } from '../../../src/org/session.js';

describe('AwsFailure', () => {
  const sdkError = Object.assign(new Error('The security token: it expired'), {
    name: 'ExpiredTokenException',
  });

  it('carries the code and what the service said as fields, even when the text holds ": "', () => {
    const failure = new RegionCredentialsFailure(classifyAwsError(sdkError), { cause: sdkError });
    expect(failure).toBeInstanceOf(AwsFailure);
    expect(failure).toBeInstanceOf(KmsReportError);
    expect([failure.kind, failure.code, failure.detail]).toEqual([
      'credentials',
      'ExpiredTokenException',
      'The security token: it expired',
    ]);
    expect(failure.message).toBe('ExpiredTokenException: The security token: it expired');
    expect(failure.cause).toBe(sdkError);
  });

  it('is classified as it was when it happened', () => {
    const failure = new RegionCredentialsFailure(classifyAwsError(sdkError));
    expect(classifyAwsError(failure)).toEqual(classifyAwsError(sdkError));
  });

  it('names the role and the code when a role cannot be assumed', () => {
    const refused = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    const error = new AssumeRoleError('arn:aws:iam::111122223333:role/Audit', classifyAwsError(refused));
    expect(error.message).toBe(
      'could not assume arn:aws:iam::111122223333:role/Audit (sts:AssumeRole: AccessDenied, not authorized)',
    );
    expect([error.code, error.detail]).toEqual(['AccessDenied', 'not authorized']);
    expect(classifyAwsError(error)).toMatchObject({ code: 'AccessDenied', message: 'not authorized' });
  });
});
