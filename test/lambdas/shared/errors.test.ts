import { LimitExceededException, NoSuchEntityException } from '@aws-sdk/client-iam';
import { ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import {
  awsErrorCode,
  ContainmentNotVerifiedError,
  describeError,
  EscalationRequiredError,
  InvalidIncidentError,
  isQuotaExceeded,
  isTransientAwsError,
  rethrowAws,
  TransientAwsError,
} from '../../../lambdas/shared/errors';
import { awsError } from '../helpers';

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('error classes', () => {
  it.each([
    ['InvalidIncidentError', new InvalidIncidentError('x')],
    ['TransientAwsError', new TransientAwsError('x')],
    ['ContainmentNotVerifiedError', new ContainmentNotVerifiedError('x')],
    ['EscalationRequiredError', new EscalationRequiredError('x')],
  ])('sets name to the class name %s, which Step Functions matches in ErrorEquals', (className, err) => {
    expect(err.name).toBe(className);
    expect(err.constructor.name).toBe(className);
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).toBe(`${className}: x`);
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('root cause');

    const err = new InvalidIncidentError('wrapped', { cause });

    expect(err.cause).toBe(cause);
  });
});

describe('isTransientAwsError', () => {
  it.each(['Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded', 'ServiceUnavailable', 'InternalFailure', 'ConcurrentModification'])(
    'classifies %s as transient',
    (code) => {
      expect(isTransientAwsError(awsError(code))).toBe(true);
    },
  );

  it.each(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired'])('classifies %s (a session refused as expired: the next attempt is signed with renewed credentials) as transient', (code) => {
    expect(isTransientAwsError(awsError(code, 'The security token included in the request is expired', 400))).toBe(true);
  });

  it('classifies any 5xx response as transient', () => {
    expect(isTransientAwsError(awsError('SomethingNew', 'boom', 503))).toBe(true);
  });

  it('classifies an error the SDK marks $retryable as transient', () => {
    const err = Object.assign(awsError('SomethingNew'), { $retryable: { throttling: true } });

    expect(isTransientAwsError(err)).toBe(true);
  });

  it.each([
    ['AccessDenied', awsError('AccessDenied', 'not authorized', 403)],
    ['NoSuchEntity', new NoSuchEntityException({ message: 'The user with name x cannot be found.', $metadata: { httpStatusCode: 404 } })],
    ['a plain Error', new Error('bug')],
    ['a string', 'Throttling'],
    ['undefined', undefined],
    ['null', null],
  ])('does not classify %s as transient', (_what, err) => {
    expect(isTransientAwsError(err)).toBe(false);
  });
});

describe('a full quota (IAM LimitExceeded) is never throttling', () => {
  const quotas = [
    ['IAM\'s code LimitExceeded (409)', awsError('LimitExceeded', 'Cannot exceed quota for PoliciesPerUser: 10', 409)],
    ['the SDK\'s LimitExceededException', new LimitExceededException({ message: 'Maximum policy size of 2048 bytes exceeded', $metadata: { httpStatusCode: 409 } })],
    ['a LimitExceededException marked retryable as throttling', Object.assign(awsError('LimitExceededException', 'quota', 400), { $retryable: { throttling: true } })],
  ] as const;

  it.each(quotas)('recognises %s as a full quota', (_what, err) => {
    expect(isQuotaExceeded(err)).toBe(true);
  });

  it.each(quotas)('does not classify %s as transient, and rethrowAws leaves it unchanged', (_what, err) => {
    expect(isTransientAwsError(err)).toBe(false);
    expect(thrownBy(() => rethrowAws(err, 'PutUserPolicy'))).toBe(err);
  });

  it('still reads EC2\'s RequestLimitExceeded (its throttling) as transient', () => {
    expect(isQuotaExceeded(awsError('RequestLimitExceeded'))).toBe(false);
    expect(isTransientAwsError(awsError('RequestLimitExceeded'))).toBe(true);
  });
});

describe('rethrowAws', () => {
  it('wraps Throttling in TransientAwsError, keeping the original as cause', () => {
    const original = awsError('Throttling', 'Rate exceeded');

    const err = thrownBy(() => rethrowAws(original, 'UpdateAccessKey')) as TransientAwsError;

    expect(err).toBeInstanceOf(TransientAwsError);
    expect(err.name).toBe('TransientAwsError');
    expect(err.message).toBe('UpdateAccessKey: Throttling: Rate exceeded');
    expect(err.cause).toBe(original);
  });

  it('wraps ThrottlingException in TransientAwsError', () => {
    const original = awsError('ThrottlingException', 'Rate exceeded');

    const err = thrownBy(() => rethrowAws(original, 'StartExecution'));

    expect(err).toBeInstanceOf(TransientAwsError);
    expect((err as Error).cause).toBe(original);
  });

  it('wraps a 500 in TransientAwsError', () => {
    const original = awsError('InternalError', 'We encountered an internal error', 500);

    const err = thrownBy(() => rethrowAws(original, 'PutUserPolicy'));

    expect(err).toBeInstanceOf(TransientAwsError);
    expect((err as Error).message).toBe('PutUserPolicy: InternalError: We encountered an internal error');
  });

  it('wraps an error marked $retryable in TransientAwsError', () => {
    const original = Object.assign(awsError('NetworkingError', 'socket hang up'), { $retryable: {} });

    expect(thrownBy(() => rethrowAws(original, 'Publish'))).toBeInstanceOf(TransientAwsError);
  });

  it('rethrows AccessDenied unchanged', () => {
    const original = awsError('AccessDenied', 'User is not authorized to perform iam:UpdateAccessKey', 403);

    expect(thrownBy(() => rethrowAws(original, 'UpdateAccessKey'))).toBe(original);
  });

  it('rethrows a modelled client error unchanged', () => {
    const original = new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: { httpStatusCode: 400 } });

    expect(thrownBy(() => rethrowAws(original, 'StartExecution'))).toBe(original);
  });
});

describe('awsErrorCode and describeError', () => {
  it('reads the code of an SDK error from its name', () => {
    const err = new NoSuchEntityException({ message: 'not found', $metadata: {} });

    expect(awsErrorCode(err)).toBe('NoSuchEntityException');
    expect(awsErrorCode('Throttling')).toBeUndefined();
  });

  it('describes an error by name and message, and anything else as a string', () => {
    expect(describeError(awsError('Throttling', 'Rate exceeded'))).toEqual({ name: 'Throttling', message: 'Rate exceeded' });
    expect(describeError(42)).toEqual({ name: 'Error', message: '42' });
  });
});
