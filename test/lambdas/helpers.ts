import * as fs from 'node:fs';
import * as path from 'node:path';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { Incident } from '../../lambdas/shared/incident';
import { Log } from '../../lambdas/shared/logger';

/** The published AWS samples in test/fixtures/aws (kept byte-for-byte; SOURCE.md says where each comes from). */
export const EVENTS_DIR = path.join(__dirname, '../fixtures/aws/events');
export const POLICIES_DIR = path.join(__dirname, '../fixtures/aws/policies');

export function readEvent(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(EVENTS_DIR, name), 'utf8'));
}

export function readPolicy(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(POLICIES_DIR, name), 'utf8'));
}

/** A logger that records nothing to stdout; calls can be inspected. */
export function fakeLogger(): Log & { [K in 'debug' | 'info' | 'warn' | 'error']: jest.Mock } {
  return { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
}

/** An unmodelled AWS error as the SDK builds it from the response (e.g. IAM's `Throttling`). */
export function awsError(name: string, message = name, httpStatusCode = 400): IAMServiceException {
  return new IAMServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', message, $metadata: { httpStatusCode } });
}

export const ACCOUNT_ID = '123456789012';

/** The dispatcher's environment in organization mode: the responder in `central`, `break-glass` protected in `member`. */
export function organizationDispatcherEnv(central: string, member: string): Record<string, string> {
  return {
    STATE_MACHINE_ARN: `arn:aws:states:us-east-1:${central}:stateMachine:exposed-key-response`,
    PROTECTED_USERS: `${member}:break-glass`,
    ACCOUNT_ID: central,
    TOPIC_ARN: `arn:aws:sns:us-east-1:${central}:exposed-key-responder`,
    QUARANTINE_WINDOW_HOURS: '24',
    DRY_RUN: 'false',
    PROTECTED_ROLES: '',
    MEMBER_ROLE_NAME: 'exposed-key-responder-member',
    AWS_REGION: 'us-east-1',
  };
}
export const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const OTHER_KEY_ID = 'AKIAI44QH8DHBEXAMPLE';
export const REVOKE_BEFORE = '2026-11-20T10:00:00.123Z';
/** The time the revoke policy holds for an execution started at REVOKE_BEFORE: five minutes later. */
export const REVOKED_BEFORE = '2026-11-20T10:05:00.123Z';

export function anIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    incidentId: `${KEY_ID}-20261120`,
    source: 'trusted-advisor',
    accountId: ACCOUNT_ID,
    accessKeyId: KEY_ID,
    userName: 'ci-deploy',
    principalType: 'user',
    protectedPrincipal: false,
    detectedAt: '2026-11-20T09:59:00.000Z',
    dispatchedAt: '2026-11-20T10:00:00.000Z',
    detail: 'Trusted Advisor "Exposed Access Keys" (fraud type: Exposed)',
    ...overrides,
  };
}

/** A bare CloudTrail record as EventBridge delivers it: the `detail` of an aws.iam event (us-east-1). */
export function viaEventBridge(record: Record<string, any>): Record<string, any> {
  return {
    version: '0',
    id: 'c3b9a3b4-0f8a-4d57-a2a5-5b6b3d9a1f00',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account: record.recipientAccountId,
    time: record.eventTime,
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
}

/** Health's DescribeEvents output for one event, as the EventBridge "AWS Health Event" it stands for. */
export function healthEventFromDescribeEvents(output: Record<string, any>, account = ACCOUNT_ID): Record<string, any> {
  const e = output.event;
  return {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'AWS Health Event',
    source: 'aws.health',
    account,
    time: new Date(e.startTime).toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {
      eventArn: e.arn,
      service: e.service,
      eventTypeCode: e.eventTypeCode,
      eventTypeCategory: e.eventTypeCategory,
      eventScopeCode: e.eventScopeCode,
      startTime: e.startTime,
      endTime: e.endTime,
      statusCode: e.statusCode,
      eventDescription: [{ language: 'en_US', latestDescription: 'Your account was quarantined.' }],
      affectedEntities: [],
    },
  };
}

/** An EventBridge AWS Health RISK event; `detail` fields override the defaults. */
export function healthEvent(detail: Record<string, any>, account = ACCOUNT_ID): Record<string, any> {
  return {
    version: '0',
    id: 'a1b2c3d4-0000-0000-0000-000000000001',
    'detail-type': 'AWS Health Event',
    source: 'aws.health',
    account,
    time: '2026-11-20T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { service: 'RISK', eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED', eventTypeCategory: 'issue', ...detail },
  };
}

const savedEnv = new Map<string, string | undefined>();

/** Sets (or, with undefined, unsets) environment variables until {@link restoreEnv}. */
export function setEnv(vars: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(vars)) {
    if (!savedEnv.has(name)) savedEnv.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/**
 * Loads modules afresh with `env` set, as a Lambda's cold start does (a handler reads its
 * environment at load). `load` runs in jest's isolated registry, so the SDK package it requires is
 * the one the handler's module-level clients use, and mocking it mocks them.
 */
export function loadIsolated<T>(env: Record<string, string | undefined>, load: () => T): T {
  setEnv(env);
  let loaded!: T;
  jest.isolateModules(() => {
    loaded = load();
  });
  return loaded;
}

export function restoreEnv(): void {
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  savedEnv.clear();
}
