import type { FootholdContainment, FootholdResult } from '../../../lambdas/footholds/contract';
import { footholdGroups, footholdOpenItems, footholdsOf } from '../../../lambdas/report/footholds';
import { buildReport } from '../../../lambdas/report/record';
import { parseWorkflowState } from '../../../lambdas/shared/state';
import { aState, containment, GENERATED_AT, investigation, lambdaError, verification } from './fixtures';

function result(id: string, status: FootholdResult['status'], extra: Partial<FootholdResult> = {}): FootholdResult {
  return { id, action: 'deactivate-key', foothold: `foothold ${id}`, status, detail: `detail ${id}`, at: '2026-11-20T10:01:00.000Z', ...extra };
}

function run(results: FootholdResult[], open: FootholdContainment['summary']['open'] = []): FootholdContainment {
  const containedCount = results.filter((r) => r.status === 'done' || r.status === 'already').length;
  return { results, summary: { contained: open.length === 0, containedCount, open } };
}

describe('the footholds in the record', () => {
  it('puts the second look\'s results after the first pass\'s, as one: counts added, still open if either is', () => {
    const first = run([result('a', 'done', { undo: 'undo a' })]);
    const second = run([result('b', 'open', { command: 'do b' })], [{ what: 'open: detail b', command: 'do b' }]);

    const merged = footholdsOf(aState({ footholds: first, secondFootholds: second }));

    expect(merged).toEqual({
      results: [first.results[0], second.results[0]],
      summary: { contained: false, containedCount: 1, open: [{ what: 'open: detail b', command: 'do b' }] },
    });
    expect(footholdOpenItems(aState({ footholds: first, secondFootholds: second }))).toEqual([{ what: 'detail b', command: 'do b' }]);
  });

  it('a failed footholds step is still open, the other step\'s open items too', () => {
    const failed = { failed: { step: 'ContainFootholds', error: lambdaError('AccessDenied', 'no') } };
    const second = run([result('b', 'failed', { command: 'do b', errorCode: 'AccessDenied' })], [{ what: 'failed: detail b', command: 'do b' }]);

    expect(footholdOpenItems(aState({ footholds: failed, secondFootholds: second }))).toEqual([
      { what: 'What the key created or assumed is NOT contained (the footholds step failed): read footholds.json in the incident bucket and contain each by hand.' },
      { what: 'Foothold failed: detail b', command: 'do b' },
    ]);
  });

  it('groups the results by what a reader must do: act, contained (with the undo), would (dry run), only reported', () => {
    const groups = footholdGroups(run([
      result('done', 'done', { undo: 'aws undo done' }),
      result('open', 'open', { command: 'aws finish open' }),
      result('dry', 'dry-run', { detail: 'would dry', command: 'aws by hand' }),
      result('rep', 'reported', { undo: 'aws undo what the key did' }),
      result('fail', 'failed', { errorCode: 'AccessDenied', command: 'aws finish fail' }),
    ], [{ what: 'x' }]));

    expect(groups).toEqual([
      { title: 'ACTION REQUIRED, footholds still open', items: [
        { what: '[OPEN] foothold open: detail open', command: 'aws finish open' },
        { what: '[FAILED] foothold fail: detail fail (AccessDenied)', command: 'aws finish fail' },
      ] },
      { title: 'Footholds contained (1), each with the command that undoes it', items: [{ what: 'foothold done: detail done', command: 'aws undo done' }] },
      { title: 'Footholds that would be contained (dry run: nothing was changed)', items: [{ what: 'foothold dry: would dry', command: 'aws by hand' }] },
      { title: 'Footholds only reported (not changed: the command undoes what the key did)', items: [{ what: 'foothold rep: detail rep', command: 'aws undo what the key did' }] },
    ]);
    expect(footholdGroups(undefined)).toEqual([]);
  });
});

describe('a footholds result that does not fit its schema', () => {
  it('is that step\'s failure in the record: still open, contained with gaps, not complete', () => {
    const raw = { ...aState({ containment: containment(), verification: verification(), investigation: investigation() }), footholds: { results: 'all fine', summary: { contained: true } } };

    const report = buildReport(parseWorkflowState(raw, 'report'), GENERATED_AT);

    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.complete).toBe(false);
    expect(report.failures).toEqual([expect.objectContaining({ source: 'footholds', what: 'footholds', error: expect.stringMatching(/^UnreadableStepOutput: /) })]);
    expect(report.stillOpen.map((o) => o.what)).toContain(
      'What the key created or assumed is NOT contained (the footholds step failed): read footholds.json in the incident bucket and contain each by hand.',
    );
  });
});
