import { tryParseJson } from '../../../lambdas/shared/json';

describe('tryParseJson', () => {
  it('answers the value of a JSON document', () => {
    expect(tryParseJson('{"eventName":"CreateUser","n":[1,null]}')).toEqual({ eventName: 'CreateUser', n: [1, null] });
  });

  it.each([[undefined], [''], ['{"cut":'], ['not json']])('answers undefined for %p, never throws', (text) => {
    expect(tryParseJson(text)).toBeUndefined();
  });
});
