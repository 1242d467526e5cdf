// Scenarios of what an attacker does with the exposed key (CloudTrail records the footholds step
// follows), for the workflow tests of test/workflow/footholds*.test.ts.
import { ScenarioInput } from '../../drill/scenario';
import { ACCOUNT, EXPOSED, twoKeyScenario } from './helpers';

export const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** A CloudTrail record of a call signed by the exposed key (ci-deploy), `minutes` ago. */
export function byKey(minutes: number, eventSource: string, eventName: string, requestParameters: Record<string, unknown>, responseElements: Record<string, unknown> | null = null, region = 'us-east-1') {
  return { eventTime: ago(minutes), region, eventSource, eventName, accessKeyId: EXPOSED, userName: 'ci-deploy', sourceIPAddress: '203.0.113.9', requestParameters, responseElements };
}

/** The same call signed by alice's key: never a foothold. */
export function byAlice(record: ReturnType<typeof byKey>) {
  return { ...record, accessKeyId: 'AKIAALICEKEY00000003', userName: 'alice' };
}

export const SHADOW_KEY = 'AKIASHADOWKEY0000001';
export const BACKDOOR_KEY = 'AKIABACKDOORKEY00001';
export const CREDENTIAL = 'ACCAEXAMPLECREDENTIAL01';
export const ROLE_SESSION = 'ASIAROLESESSION00001';
export const OTHER_ACCOUNT = '999988887777';

/** Every kind at once: what each test picks from. */
export function attackerScenario(cloudTrail: Array<Record<string, unknown>>, extra: Partial<ScenarioInput> = {}): ScenarioInput {
  const base = twoKeyScenario();
  return {
    ...base,
    regions: ['us-east-1', 'eu-west-1'],
    users: [
      ...base.users!,
      { userName: 'shadow', accessKeys: [{ accessKeyId: SHADOW_KEY }] },
      { userName: 'backdoor', accessKeys: [{ accessKeyId: BACKDOOR_KEY }], loginProfile: true },
      { userName: 'bob', loginProfile: true, serviceSpecificCredentials: [{ serviceSpecificCredentialId: CREDENTIAL, serviceName: 'bedrock.amazonaws.com' }] },
    ],
    roles: [
      { roleName: 'deploy', path: '/ci/' },
      { roleName: 'escape' },
      { roleName: 'AWSServiceRoleForSupport', path: '/aws-service-role/support.amazonaws.com/' },
    ],
    instances: [{ region: 'eu-west-1', instanceId: 'i-0miner', state: 'running', volumeIds: ['vol-0miner'], instanceType: 'c5.24xlarge' }],
    cloudTrail,
    ...extra,
  };
}

export const RECORDS = {
  createdKey: () => byKey(30, 'iam.amazonaws.com', 'CreateAccessKey', { userName: 'shadow' }, { accessKey: { userName: 'shadow', accessKeyId: SHADOW_KEY, status: 'Active' } }),
  createdUser: () => byKey(31, 'iam.amazonaws.com', 'CreateUser', { userName: 'backdoor' }, { user: { userName: 'backdoor', path: '/' } }),
  loginProfile: () => byKey(29, 'iam.amazonaws.com', 'CreateLoginProfile', { userName: 'bob', passwordResetRequired: false }, { loginProfile: { userName: 'bob' } }),
  assumedRole: () => byKey(28, 'sts.amazonaws.com', 'AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy`, roleSessionName: 'x' }, { credentials: { accessKeyId: ROLE_SESSION } }),
  externalRole: () => byKey(27, 'sts.amazonaws.com', 'AssumeRole', { roleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/partner-admin`, roleSessionName: 'y' }, { credentials: { accessKeyId: 'ASIAEXTERNAL00000001' } }),
  serviceLinked: () => byKey(27, 'sts.amazonaws.com', 'AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport`, roleSessionName: 'z' }, { credentials: { accessKeyId: 'ASIASERVICELINKED001' } }),
  createdRole: () => byKey(26, 'iam.amazonaws.com', 'CreateRole', { roleName: 'escape', assumeRolePolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] }) }, { role: { roleName: 'escape', arn: `arn:aws:iam::${ACCOUNT}:role/escape`, path: '/' } }),
  serviceCredential: () => byKey(25, 'iam.amazonaws.com', 'CreateServiceSpecificCredential', { userName: 'bob', serviceName: 'bedrock.amazonaws.com' }, { serviceSpecificCredential: { userName: 'bob', serviceName: 'bedrock.amazonaws.com', serviceSpecificCredentialId: CREDENTIAL, status: 'Active' } }),
  instance: () => byKey(24, 'ec2.amazonaws.com', 'RunInstances', { instanceType: 'c5.24xlarge' }, { instancesSet: { items: [{ instanceId: 'i-0miner', instanceType: 'c5.24xlarge' }] } }, 'eu-west-1'),
};
