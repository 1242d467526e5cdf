// The cost exposure: decided once by the record (at its own time), rendered the same by every message.
import { buildMessage } from '../../../lambdas/notify/message';
import { renderMarkdown } from '../../../lambdas/report/markdown';
import { buildReport, IncidentReport } from '../../../lambdas/report/record';
import { slackMessage } from '../../../lambdas/slack/blocks';
import { supportSummary } from '../../../lambdas/support/summary';
import type { InstanceEvidence } from '../../../lambdas/evidence/contract';
import { aState, evidence, GENERATED_AT } from './fixtures';

const BASE = { status: 'created' as const, snapshotIds: ['snap-0a'], volumeIds: ['vol-0a'], operatingSystem: 'Linux' as const, tenancy: 'default' };
/** Launched 2.5 h before the record (10:03:00): 2.5 x $4.608 = $11.52. */
const MINER: InstanceEvidence = { ...BASE, region: 'eu-west-1', instanceId: 'i-0miner0000000001', instanceType: 'c5.24xlarge', state: 'running', launchTime: '2026-11-20T07:33:00.000Z', usdPerHour: 4.608 };
/** 1 h: $0.107 -> $0.11. */
const WEB: InstanceEvidence = { ...BASE, region: 'eu-west-1', instanceId: 'i-0web00000000002', instanceType: 'm5.large', state: 'running', launchTime: '2026-11-20T09:03:00.000Z', usdPerHour: 0.107 };
/** 30 minutes, no price. */
const GPU: InstanceEvidence = { ...BASE, region: 'us-east-1', instanceId: 'i-0gpu00000000003', instanceType: 'p3.2xlarge', state: 'running', launchTime: '2026-11-20T09:33:00.000Z', priceUnknown: 'Price List API: AccessDeniedException' };
const STOPPED: InstanceEvidence = { ...BASE, region: 'eu-west-1', instanceId: 'i-0stop00000000004', instanceType: 't3.micro', state: 'stopped', launchTime: '2026-11-19T08:00:00.000Z' };

function record(snapshots: InstanceEvidence[]): IncidentReport {
  return buildReport(aState({ evidence: evidence({ snapshots }) }), GENERATED_AT);
}

const MINER_LINE = 'i-0miner0000000001 c5.24xlarge in eu-west-1, running since 2026-11-20T07:33:00.000Z: $4.608/hour Linux on-demand, about $11.52 so far (2.5 h)';
const GPU_LINE = 'i-0gpu00000000003 p3.2xlarge in us-east-1, running since 2026-11-20T09:33:00.000Z: price unknown: Price List API: AccessDeniedException';

describe('buildReport: the cost exposure', () => {
  it('estimates each running instance\'s cost so far from its launch to the record\'s time, at the on-demand price', () => {
    const report = record([MINER, WEB, GPU, STOPPED]);

    expect(report.costExposure?.instances).toEqual([
      { instanceId: 'i-0miner0000000001', region: 'eu-west-1', instanceType: 'c5.24xlarge', state: 'running', runningSince: '2026-11-20T07:33:00.000Z', operatingSystem: 'Linux', usdPerHour: 4.608, hoursSoFar: 2.5, estimatedUsdSoFar: 11.52 },
      { instanceId: 'i-0web00000000002', region: 'eu-west-1', instanceType: 'm5.large', state: 'running', runningSince: '2026-11-20T09:03:00.000Z', operatingSystem: 'Linux', usdPerHour: 0.107, hoursSoFar: 1, estimatedUsdSoFar: 0.11 },
      { instanceId: 'i-0gpu00000000003', region: 'us-east-1', instanceType: 'p3.2xlarge', state: 'running', runningSince: '2026-11-20T09:33:00.000Z', operatingSystem: 'Linux', priceUnknown: 'Price List API: AccessDeniedException', hoursSoFar: 0.5 },
      { instanceId: 'i-0stop00000000004', region: 'eu-west-1', instanceType: 't3.micro', state: 'stopped', runningSince: '2026-11-19T08:00:00.000Z', operatingSystem: 'Linux' },
    ]);
    expect(report.costExposure).toMatchObject({ running: 3, usdPerHour: 4.715, estimatedUsdSoFar: 11.63 });
    expect(report.costExposure?.basis).toContain('on-demand estimate');
  });

  it('says how many running instances have no price, and no total when none has one', () => {
    const report = record([GPU]);

    expect(buildMessage(report).body).toContain('Cost exposure: 1 running (1 without a price) (on-demand estimate');
  });

  it('has no cost exposure when no instance was described (the evidence step failed, or found none)', () => {
    expect(record([]).costExposure).toBeUndefined();
    expect(record([{ region: 'eu-west-1', instanceId: 'i-0gone', status: 'gone', snapshotIds: [], volumeIds: [] }]).costExposure).toBeUndefined();
  });

  it('makes no estimate without a readable launch time, and prints what the state holds on one line', () => {
    const report = record([{ ...MINER, instanceType: 'c5.24xlarge\n## injected', launchTime: 'yesterday' }]);

    expect(report.costExposure).toMatchObject({ running: 1, usdPerHour: 4.608 });
    expect(report.costExposure?.estimatedUsdSoFar).toBeUndefined();
    expect(report.costExposure?.instances[0]).toMatchObject({ instanceType: 'c5.24xlarge ## injected', runningSince: 'yesterday' });
    expect(buildMessage(report).body).toContain('Cost exposure: 1 running, $4.608/hour (on-demand estimate');
  });

  it('never counts negative hours when the launch time is after the record (clock skew)', () => {
    const report = record([{ ...MINER, launchTime: '2026-11-20T10:04:00.000Z' }]);

    expect(report.costExposure?.instances[0]).toMatchObject({ hoursSoFar: 0, estimatedUsdSoFar: 0 });
  });
});

describe('the messages render the cost exposure', () => {
  it('email: right after what is still open while an instance runs, with the total and the basis', () => {
    const body = buildMessage(record([MINER, GPU])).body.split('\n');

    expect(body.slice(2, 8)).toEqual([
      'Still open: nothing, containment is in place.',
      '',
      'Cost exposure: 2 running, $4.608/hour, about $11.52 so far (1 without a price) (on-demand estimate: hourly list price (AWS Price List API, USD) x hours since launch; not a bill):',
      `  - ${MINER_LINE}`,
      `  - ${GPU_LINE}`,
      '',
    ]);
  });

  it('email: names ten instances at most, and says how many more the record has', () => {
    const many = Array.from({ length: 12 }, (_, n) => ({ ...MINER, instanceId: `i-0miner00000000${String(n).padStart(2, '0')}` }));

    const body = buildMessage(record(many)).body.split('\n');

    expect(body.filter((l) => l.startsWith('  - i-0miner') && l.includes('/hour'))).toHaveLength(10);
    expect(body).toContain('  ... and 2 more in the record');
  });

  it('email: with the evidence, not at the top, when nothing runs any more', () => {
    const body = buildMessage(record([STOPPED])).body;

    expect(body.indexOf('Cost exposure')).toBeGreaterThan(body.indexOf('Evidence (EBS snapshots)'));
    expect(body).toContain('  - i-0stop00000000004 t3.micro in eu-west-1: stopped (last launched 2026-11-19T08:00:00.000Z), not running');
  });

  it('Slack: a section right after the headline while an instance runs', () => {
    const blocks = slackMessage(record([MINER])).blocks as Array<{ type: string; text?: { text: string } }>;

    expect(blocks[2].text?.text).toBe(
      `*Cost exposure: 1 running, $4.608/hour, about $11.52 so far (on-demand estimate: hourly list price (AWS Price List API, USD) x hours since launch; not a bill)*\n• ${MINER_LINE}`,
    );
  });

  it('report.md: a table with the price, the running time and the estimate, or why there is no price', () => {
    const md = renderMarkdown(record([MINER, GPU]));

    expect(md).toContain('\n## Cost exposure\n');
    expect(md).toContain('Total: 2 running, $4.608/hour, about $11.52 so far (1 without a price).');
    expect(md).toContain('| `i-0miner0000000001` | `c5.24xlarge` | `eu-west-1` | running | 2026-11-20T07:33:00.000Z | $4.608 (Linux) | 2.5 h | $11.52 |');
    expect(md).toContain('| `i-0gpu00000000003` | `p3.2xlarge` | `us-east-1` | running | 2026-11-20T09:33:00.000Z | price unknown: Price List API: AccessDeniedException | 30 min |  |');
  });

  it('support case: the same lines', () => {
    const text = supportSummary(record([MINER, GPU]));

    expect(text).toContain(`\n  - ${MINER_LINE}\n  - ${GPU_LINE}`);
  });
});
