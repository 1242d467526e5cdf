import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { parseDetection } from '../../../lambdas/shared/events';

const KEY = 'AKIAIOSFODNN7EXAMPLE';

function report(detail: Record<string, unknown>): Record<string, unknown> {
  return { source: 'exposed-key-responder', 'detail-type': 'Exposed Access Key Reported', account: '999988887777', time: '2026-11-20T10:00:00Z', detail: { accessKeyId: KEY, ...detail } };
}

describe('parseDetection: the account a report by hand names', () => {
  it('keeps it as a hint, apart from the event\'s account (the reporter\'s)', () => {
    const detection = parseDetection(report({ accountId: '123456789012' }));

    expect(detection.accountId).toBe('999988887777');
    expect(detection.reportedAccountId).toBe('123456789012');
  });

  it('has none when the report names none', () => {
    expect(parseDetection(report({}))).not.toHaveProperty('reportedAccountId');
  });

  it.each([['1234'], ['1234567890123'], ['12345678901a'], [' 123456789012'], [123456789012], [null], ['']])('rejects %p as the account, naming the field', (accountId) => {
    const parse = () => parseDetection(report({ accountId }));

    expect(parse).toThrow(InvalidIncidentError);
    expect(parse).toThrow('detail.accountId');
  });
});
