import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { drillConfig, parseArgs, shapeHint, shiftTimes, UsageError } from '../../drill/cli';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'aws', 'events');

function runDrill(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'drill.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('parseArgs', () => {
  it('reads the contract flags and repeated context values', () => {
    expect(parseArgs(['--event', 'e.json', '--scenario', 's.json', '--json', '-c', 'dryRun=true', '-c', 'protectedUsers=a,b'])).toEqual({
      event: 'e.json', scenario: 's.json', json: true, builtin: false, verbose: false, context: { dryRun: 'true', protectedUsers: 'a,b' },
    });
  });

  it('refuses a missing event, an unknown flag and a context value without "="', () => {
    expect(() => parseArgs(['--json'])).toThrow(UsageError);
    expect(() => parseArgs(['--event', 'e.json', '--fast'])).toThrow(/unknown argument "--fast"/);
    expect(() => parseArgs(['--event', 'e.json', '-c', 'dryRun'])).toThrow(/key=value/);
  });
});

describe('drillConfig', () => {
  it('reads context as cdk deploy does, and rejects what cdk deploy would reject', () => {
    expect(drillConfig({})).toEqual({ dryRun: false, protectedUsers: [], protectedRoles: [], stopLaunchedInstances: false, lookbackDays: 14, supportSeverity: 'high', quarantineWindowHours: 24, securityHub: false });
    expect(drillConfig({ dryRun: 'true', protectedUsers: 'breakglass, ops', lookbackDays: '30', slackWebhookSecret: 'team/slack', quarantineWindowHours: '6' })).toEqual({
      dryRun: true, protectedUsers: ['breakglass', 'ops'], protectedRoles: [], stopLaunchedInstances: false, lookbackDays: 30, supportSeverity: 'high', slackWebhookSecret: 'team/slack', quarantineWindowHours: 6, securityHub: false,
    });
    expect(drillConfig({ protectedRoles: 'OrgAdmin,/breakglass/*', stopLaunchedInstances: 'true' })).toMatchObject({ protectedRoles: ['OrgAdmin', '/breakglass/*'], stopLaunchedInstances: true });
    expect(() => drillConfig({ stopLaunchedInstances: 'yes' })).toThrow(/stopLaunchedInstances/);
    expect(() => drillConfig({ dryRun: 'yes' })).toThrow(/dryRun/);
    expect(() => drillConfig({ lookbackDays: '91' })).toThrow(/lookbackDays/);
  });
});

describe('shiftTimes', () => {
  it('moves every ISO time and epoch-milliseconds string by the same amount, and nothing else', () => {
    const moved = shiftTimes({ time: '2026-11-23T10:00:00Z', nested: [{ at: '2026-11-23T10:00:00.500Z' }], ms: '1795428067000', key: 'AKIA3EXPOSEDCIKEY001', n: 5 }, 60_000);

    expect(moved).toEqual({ time: '2026-11-23T10:01:00.000Z', nested: [{ at: '2026-11-23T10:01:00.500Z' }], ms: '1795428127000', key: 'AKIA3EXPOSEDCIKEY001', n: 5 });
  });
});

describe('shapeHint', () => {
  it('explains a bare CloudTrail record and Health DescribeEvents output, and says nothing of an EventBridge event', () => {
    expect(shapeHint({ eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy' })).toMatch(/bare CloudTrail record/);
    expect(shapeHint({ event: { arn: 'x' } })).toMatch(/DescribeEvents/);
    expect(shapeHint({ source: 'aws.health' })).toBeUndefined();
  });
});

describe('the drill command (contract in docs/drill.md)', () => {
  it('prints one JSON document on stdout and nothing else, progress on stderr', () => {
    const scenario = path.join(ROOT, 'drill', 'scenarios', 'builtin.json');

    const run = runDrill(['--event', path.join(ROOT, 'drill', 'events', 'builtin-trusted-advisor.json'), '--scenario', scenario, '--json']);

    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout);
    expect(output).toMatchObject({
      matched: true,
      incident: { source: 'trusted-advisor', accessKeyId: 'AKIA3EXPOSEDCIKEY001', userName: 'ci-deploy', accountId: '111122223333' },
      execution: { status: 'SUCCEEDED' },
    });
    expect(output.account.users[0].accessKeys).toEqual([
      expect.objectContaining({ accessKeyId: 'AKIA3EXPOSEDCIKEY001', status: 'Inactive' }),
      expect.objectContaining({ accessKeyId: 'AKIA3CURRENTCIKEY002', status: 'Active' }),
    ]);
    expect(output.execution.states[0]).toEqual({ name: 'Contain', startMs: expect.any(Number), endMs: expect.any(Number) });
    expect(output.notifications[0]).toMatchObject({ channel: 'email', subject: expect.stringContaining('[CONTAINED WITH GAPS]') });
    expect(run.stderr).toContain('rule(s) matched');
  });

  it('exits 0 with matched false when no rule matches, and explains a bare CloudTrail record', () => {
    const run = runDrill(['--event', path.join(FIXTURES, 'cloudtrail-record-attach-quarantine-v2.json'), '--json']);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ matched: false, incident: null, account: { users: [] } });
    expect(run.stderr).toMatch(/bare CloudTrail record/);
  });

  it('exits non-zero with a clear message when its inputs are unusable', () => {
    const missing = runDrill(['--event', path.join(FIXTURES, 'no-such-file.json'), '--json']);
    const badScenario = runDrill(['--event', path.join(FIXTURES, 'support-case-update-create.json'), '--scenario', path.join(FIXTURES, 'support-case-update-create.json')]);

    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/cannot read event .*no-such-file\.json/);
    expect(badScenario.status).toBe(2);
    expect(badScenario.stderr).toMatch(/scenario is not usable/);
  });
});
