import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateCaseCommand, SupportClient } from '@aws-sdk/client-support';
import { SeededIncident } from './recorded-answers';

/** The account before the incidents, as the scripted incidents seed it in moto. */
export const SCENARIO = {
  userName: 'ci-deploy',
  /** A second user, whose key AWS Health reports later: no instance, no case AWS opened. */
  healthUserName: 'build-agent',
  /** The user's own policy: everything on EC2 (what the key was for). */
  ownPolicy: { name: 'deploy', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }] } },
  instanceRegion: 'eu-west-1',
  instanceType: 't3.micro',
  imageId: 'ami-0123456789abcdef0',
  /** What the leaked key created or assumed (CloudTrail says so: recorded-answers.ts). */
  backdoorUserName: 'support-admin',
  assumedRoleName: 'deploy-role',
  /** The key id of the role session the key obtained (AssumeRole's answer). */
  sessionKeyId: 'ASIAEXAMPLESESSION01',
  /** The subject of the case AWS opens about an exposed key. */
  awsCaseSubject: 'Action required: your AWS access key is exposed',
} as const;

export interface SeedClients {
  readonly iam: IAMClient;
  readonly ec2: (region: string) => EC2Client;
  readonly support: SupportClient;
}

/** The user AWS Health reports a key of: its only key. */
export interface SeededHealthIncident {
  readonly userName: string;
  readonly accessKeyId: string;
}

/** Seeds both incidents: {@link seedIncident} (Trusted Advisor) and a second user with one key (Health). */
export async function seedAccount(clients: SeedClients, accountId: string): Promise<{ ta: Awaited<ReturnType<typeof seedIncident>>; health: SeededHealthIncident }> {
  const ta = await seedIncident(clients, accountId);
  await clients.iam.send(new CreateUserCommand({ UserName: SCENARIO.healthUserName }));
  const key = await clients.iam.send(new CreateAccessKeyCommand({ UserName: SCENARIO.healthUserName }));
  return { ta, health: { userName: SCENARIO.healthUserName, accessKeyId: key.AccessKey!.AccessKeyId! } };
}

/**
 * Seeds moto: the user with its own policy and two active keys (the first is the exposed one), what
 * the key left behind (a user with a key and a console password, a role it assumed), the instance
 * it launched (with its root volume), and the support case AWS opened about the key.
 */
export async function seedIncident(clients: SeedClients, accountId: string): Promise<SeededIncident & { otherKeyId: string; volumeIds: string[] }> {
  const user = await clients.iam.send(new CreateUserCommand({ UserName: SCENARIO.userName }));
  await clients.iam.send(new PutUserPolicyCommand({ UserName: SCENARIO.userName, PolicyName: SCENARIO.ownPolicy.name, PolicyDocument: JSON.stringify(SCENARIO.ownPolicy.document) }));
  const exposed = await clients.iam.send(new CreateAccessKeyCommand({ UserName: SCENARIO.userName }));
  const other = await clients.iam.send(new CreateAccessKeyCommand({ UserName: SCENARIO.userName }));
  await clients.iam.send(new CreateUserCommand({ UserName: SCENARIO.backdoorUserName }));
  const backdoorKey = await clients.iam.send(new CreateAccessKeyCommand({ UserName: SCENARIO.backdoorUserName }));
  await clients.iam.send(new CreateLoginProfileCommand({ UserName: SCENARIO.backdoorUserName, Password: 'Attacker-Chosen-Passw0rd!' }));
  await clients.iam.send(new CreateRoleCommand({
    RoleName: SCENARIO.assumedRoleName,
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' }] }),
  }));
  const run = await clients.ec2(SCENARIO.instanceRegion).send(new RunInstancesCommand({ ImageId: SCENARIO.imageId, InstanceType: SCENARIO.instanceType, MinCount: 1, MaxCount: 1 }));
  const instance = run.Instances?.[0];
  const volumeIds = (instance?.BlockDeviceMappings ?? []).flatMap((m) => m.Ebs?.VolumeId ?? []);
  const awsCase = await clients.support.send(new CreateCaseCommand({
    subject: SCENARIO.awsCaseSubject,
    communicationBody: `The access key ${exposed.AccessKey?.AccessKeyId} of IAM user ${SCENARIO.userName} was found publicly available online.`,
    severityCode: 'urgent', serviceCode: 'customer-account', categoryCode: 'security', issueType: 'customer-service', language: 'en',
  }));
  if (!user.User?.UserId || !exposed.AccessKey?.AccessKeyId || !other.AccessKey?.AccessKeyId || !instance?.InstanceId || !awsCase.caseId) {
    throw new Error('moto did not return the seeded resources');
  }
  return {
    accountId,
    userName: SCENARIO.userName,
    userId: user.User.UserId,
    accessKeyId: exposed.AccessKey.AccessKeyId,
    otherKeyId: other.AccessKey.AccessKeyId,
    instance: {
      instanceId: instance.InstanceId, region: SCENARIO.instanceRegion, instanceType: SCENARIO.instanceType, imageId: SCENARIO.imageId,
      launchTime: instance.LaunchTime ?? new Date(),
    },
    volumeIds,
    awsCaseId: awsCase.caseId,
    backdoor: { userName: SCENARIO.backdoorUserName, accessKeyId: backdoorKey.AccessKey!.AccessKeyId!, roleName: SCENARIO.assumedRoleName, sessionKeyId: SCENARIO.sessionKeyId },
  };
}

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'aws', 'events');
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, any>;
const eventTime = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The Trusted Advisor "Exposed Access Keys" event (AWS's published sample) about the seeded key, as EventBridge delivers it now. */
export function trustedAdvisorEvent(seed: SeededIncident): Record<string, any> {
  const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
  const item = event.detail['check-item-detail'] as Record<string, string>;
  item['Access Key ID'] = seed.accessKeyId;
  item['User Name (IAM or Root)'] = seed.userName;
  item['Case ID'] = seed.awsCaseId;
  item['Time Updated'] = String(Date.now());
  return { ...event, account: seed.accountId, time: eventTime() };
}

/** The AWS Health AWS_RISK_CREDENTIALS_EXPOSED event (AWS's published test event) about a key: it names no user. */
export function healthEvent(accountId: string, accessKeyId: string): Record<string, any> {
  const event = fixture('health-credentials-exposed-2016-sample.json');
  return { ...event, account: accountId, time: eventTime(), detail: { ...event.detail, affectedEntities: [{ entityValue: accessKeyId }] } };
}

/**
 * An HTTP endpoint on 127.0.0.1 subscribed to the topic: moto delivers each published message to
 * it as SNS delivers to HTTP subscribers (a `Notification` document with Subject and Message).
 */
export async function subscribeHttp(sns: SNSClient, topicArn: string): Promise<{ received: Array<{ Type: string; Subject?: string; Message: string }>; close: () => Promise<void> }> {
  const received: Array<{ Type: string; Subject?: string; Message: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as { Type: string; Subject?: string; Message: string });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${port}/sns` }));
  return {
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
