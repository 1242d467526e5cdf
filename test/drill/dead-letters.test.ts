import { Rejections } from '../../drill/dead-letters';
import { synthesizedRules } from '../../drill/stack-rules';
import { PublishedMessage } from '../../drill/simulated-account';

const rules = synthesizedRules({});
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:Notifications';

describe('the rejection path read out of the stack', () => {
  it('gives every detection rule the dispatcher\'s: 3 attempts in all, then the dead-letter queue, with its two alarms', () => {
    for (const rule of rules) {
      expect(rule.onRejection).toMatchObject({
        stackName: 'ExposedKeyResponder',
        functionName: expect.stringMatching(/^ExposedKeyResponder-DispatcherFunction/),
        attempts: 3,
        queue: expect.stringMatching(/^ExposedKeyResponder-DetectionRulesDeadLetterQueue/),
      });
      expect(rule.onRejection?.errorAlarms.map((a) => a.metric)).toEqual(['AWS/Lambda Errors']);
      expect(rule.onRejection?.deadLetterAlarms.map((a) => a.metric)).toEqual(['AWS/SQS ApproximateNumberOfMessagesVisible']);
    }
  });
});

describe('Rejections', () => {
  const path = rules[0].onRejection!;
  const quiet = () => undefined;

  it('returns what a later attempt dispatched, with only the errors alarm fired', async () => {
    const published: PublishedMessage[] = [];
    const rejections = new Rejections(published, TOPIC, '111122223333');
    let calls = 0;

    const result = await rejections.retry(path, { id: 'e1' }, new Error('first'), async () => (++calls === 1 ? Promise.reject(new Error('second')) : 'dispatched'), quiet);

    expect(result).toBe('dispatched');
    expect(rejections.deadLetters).toEqual([]);
    expect(published.map((m) => m.subject)).toEqual([expect.stringMatching(/^ALARM: "ExposedKeyResponder-FailureAlarmsDispatcherErrors/)]);
  });

  it('puts an event rejected on every attempt in the queue with the last error, and fires each alarm once however many events', async () => {
    const published: PublishedMessage[] = [];
    const rejections = new Rejections(published, TOPIC, '111122223333');
    const fail = async () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await rejections.retry(path, { id: 'e1' }, new Error('first'), fail, quiet);
    await rejections.retry(path, { id: 'e2' }, new Error('first'), fail, quiet);

    expect(rejections.deadLetters.map((d) => [d.requestPayload, d.attempts, d.responsePayload])).toEqual([
      [{ id: 'e1' }, 3, { errorType: 'ThrottlingException', errorMessage: 'Rate exceeded' }],
      [{ id: 'e2' }, 3, { errorType: 'ThrottlingException', errorMessage: 'Rate exceeded' }],
    ]);
    expect(published).toHaveLength(2);
    expect(published[1]).toMatchObject({ topicArn: TOPIC, message: expect.stringContaining(`It is in the dead-letter queue ${path.queue}: poll it in the SQS console.`) });
  });
});
