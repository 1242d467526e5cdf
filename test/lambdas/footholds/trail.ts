// CloudTrail records as CloudTrail writes them (the `CloudTrailEvent` of LookupEvents), for the
// footholds tests: the leaked key's own calls and its sessions' calls, with the identity shapes
// CloudTrail uses for each (IAMUser, IAMUser with a session, AssumedRole, FederatedUser).
import { ACCOUNT_ID, KEY_ID } from '../helpers';

export const ATTACKER_IP = '198.51.100.23';
/** A session the key got from GetSessionToken. */
export const SESSION_KEY = 'ASIAY34FZKBOKMUTVV7A';
/** A session the key got from GetFederationToken. */
export const FEDERATED_KEY = 'ASIAY34FZKBOFEDERAT1';
/** A session the key got from AssumeRole on role deploy. */
export const ROLE_SESSION_KEY = 'ASIAY34FZKBOROLESES1';
/** Alice's own key: someone else, never tied to the incident. */
export const ALICE_KEY = 'AKIAALICEPERSONAL001';

type Identity = Record<string, unknown>;

export const identities = {
  /** The leaked key itself. */
  leakedKey: (): Identity => ({
    type: 'IAMUser',
    principalId: 'AIDAJ45Q7YFFAREXAMPLE',
    arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy`,
    accountId: ACCOUNT_ID,
    accessKeyId: KEY_ID,
    userName: 'ci-deploy',
  }),
  /** GetSessionToken credentials: the user's identity, a session context, an ASIA key. */
  sessionToken: (): Identity => ({
    ...identities.leakedKey(),
    accessKeyId: SESSION_KEY,
    sessionContext: { attributes: { creationDate: '2026-11-20T09:30:05Z', mfaAuthenticated: 'false' } },
  }),
  federated: (): Identity => ({
    type: 'FederatedUser',
    principalId: `${ACCOUNT_ID}:support`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:federated-user/support`,
    accountId: ACCOUNT_ID,
    accessKeyId: FEDERATED_KEY,
    sessionContext: {
      sessionIssuer: { type: 'IAMUser', principalId: 'AIDAJ45Q7YFFAREXAMPLE', arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy`, accountId: ACCOUNT_ID, userName: 'ci-deploy' },
      attributes: { creationDate: '2026-11-20T09:30:10Z', mfaAuthenticated: 'false' },
    },
  }),
  assumedRole: (key = ROLE_SESSION_KEY): Identity => ({
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLEDEPLOYROLE:x',
    arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/deploy/x`,
    accountId: ACCOUNT_ID,
    accessKeyId: key,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEDEPLOYROLE', arn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, accountId: ACCOUNT_ID, userName: 'deploy' },
      attributes: { creationDate: '2026-11-20T09:30:20Z', mfaAuthenticated: 'false' },
    },
  }),
  alice: (): Identity => ({
    type: 'IAMUser',
    principalId: 'AIDAALICEEXAMPLE00001',
    arn: `arn:aws:iam::${ACCOUNT_ID}:user/alice`,
    accountId: ACCOUNT_ID,
    accessKeyId: ALICE_KEY,
    userName: 'alice',
  }),
};

let sequence = 0;

export interface Call {
  eventSource: string;
  eventName: string;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  userIdentity?: Identity;
  eventTime?: string;
  awsRegion?: string;
  errorCode?: string;
  errorMessage?: string;
  eventID?: string;
}

/** One record, by the leaked key in us-east-1 unless `call` says otherwise; each a second after the last. */
export function record(call: Call): Record<string, unknown> {
  sequence += 1;
  const { userIdentity = identities.leakedKey(), eventTime = new Date(Date.parse('2026-11-20T09:30:00Z') + sequence * 1000).toISOString(), awsRegion = 'us-east-1', ...rest } = call;
  const r: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity,
    eventTime,
    eventSource: rest.eventSource,
    eventName: rest.eventName,
    awsRegion,
    sourceIPAddress: userIdentity.userName === 'alice' ? '192.0.2.10' : ATTACKER_IP,
    userAgent: 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8',
    requestParameters: rest.requestParameters ?? null,
    responseElements: rest.responseElements ?? null,
    requestID: `req-${sequence}`,
    eventID: rest.eventID ?? `0f1e2d3c-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT_ID,
    eventCategory: 'Management',
  };
  if (rest.errorCode) {
    r.errorCode = rest.errorCode;
    r.errorMessage = rest.errorMessage ?? `User: ${String(userIdentity.arn)} is not authorized to perform: ${rest.eventName}`;
  }
  return r;
}

export const iam = (eventName: string, requestParameters: Record<string, unknown>, responseElements: Record<string, unknown> | null = null, extra: Partial<Call> = {}) =>
  record({ eventSource: 'iam.amazonaws.com', eventName, requestParameters, responseElements, ...extra });

export const calls = {
  createUser: (userName: string, extra: Partial<Call> = {}) =>
    iam('CreateUser', { userName }, { user: { path: '/', userName, userId: 'AIDABACKDOOREXAMPLE01', arn: `arn:aws:iam::${ACCOUNT_ID}:user/${userName}`, createDate: 'Nov 20, 2026, 9:31:02 AM' } }, extra),
  createAccessKey: (userName: string | undefined, accessKeyId: string, extra: Partial<Call> = {}) =>
    iam('CreateAccessKey', userName ? { userName } : {}, {
      accessKey: { userName: userName ?? 'ci-deploy', accessKeyId, status: 'Active', createDate: 'Nov 20, 2026, 9:31:05 AM' },
    }, extra),
  createLoginProfile: (userName: string, extra: Partial<Call> = {}) =>
    iam('CreateLoginProfile', { userName, passwordResetRequired: false }, { loginProfile: { userName, createDate: 'Nov 20, 2026, 9:31:07 AM', passwordResetRequired: false } }, extra),
  sts: (eventName: 'GetSessionToken' | 'GetFederationToken' | 'AssumeRole', requestParameters: Record<string, unknown>, accessKeyId: string, extra: Partial<Call> = {}) =>
    record({
      eventSource: 'sts.amazonaws.com',
      eventName,
      requestParameters,
      responseElements: {
        credentials: { accessKeyId, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE', expiration: 'Nov 20, 2026, 9:30:00 PM' },
        ...(eventName === 'AssumeRole' && { assumedRoleUser: { assumedRoleId: 'AROAEXAMPLE:x', arn: `${String(requestParameters.roleArn).replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')}/x` } }),
        ...(eventName === 'GetFederationToken' && { federatedUser: { federatedUserId: `${ACCOUNT_ID}:support`, arn: `arn:aws:sts::${ACCOUNT_ID}:federated-user/support` } }),
      },
      ...extra,
    }),
  runInstances: (region: string, instanceId: string, instanceType: string, extra: Partial<Call> = {}) =>
    record({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      awsRegion: region,
      requestParameters: { instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890', minCount: 1, maxCount: 1 }] }, instanceType },
      responseElements: {
        requestId: 'f1e2d3c4-0000-4000-8000-000000000001',
        reservationId: 'r-0123456789abcdef0',
        ownerId: ACCOUNT_ID,
        instancesSet: { items: [{ instanceId, imageId: 'ami-0abcdef1234567890', instanceState: { code: 0, name: 'pending' }, instanceType, launchTime: 1795167100000 }] },
      },
      ...extra,
    }),
};
