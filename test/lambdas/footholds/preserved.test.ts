import { preservedInstances } from '../../../lambdas/footholds/contract';

describe('preservedInstances: which instances the evidence step kept (only those may be stopped)', () => {
  it('the instances whose snapshots were created now or found from a former run', () => {
    const evidence = {
      snapshots: [
        { region: 'eu-west-1', instanceId: 'i-a', status: 'created', snapshotIds: ['snap-1'] },
        { region: 'eu-west-1', instanceId: 'i-b', status: 'existing', snapshotIds: ['snap-2'] },
        { region: 'us-east-1', instanceId: 'i-c', status: 'failed', snapshotIds: [] },
        { region: 'us-east-1', instanceId: 'i-d', status: 'gone', snapshotIds: [] },
        { region: 'us-east-1', instanceId: 'i-e', status: 'dry-run', snapshotIds: [] },
      ],
    };

    expect([...preservedInstances(evidence)!]).toEqual(['eu-west-1 i-a', 'eu-west-1 i-b']);
  });

  it('none after a failed or skipped evidence step, or anything that is not its result', () => {
    expect(preservedInstances({ failed: { step: 'PreserveEvidence', error: { Error: 'X' } } })).toEqual(new Set());
    expect(preservedInstances({ snapshots: [], skipped: 'the investigation failed' })).toEqual(new Set());
    expect(preservedInstances(null)).toEqual(new Set());
    expect(preservedInstances('snapshots')).toEqual(new Set());
    expect(preservedInstances({ snapshots: [null, 7, { region: 'eu-west-1', status: 'created' }] })).toEqual(new Set());
  });

  it('no restriction when no evidence was given', () => {
    expect(preservedInstances(undefined)).toBeUndefined();
  });
});
