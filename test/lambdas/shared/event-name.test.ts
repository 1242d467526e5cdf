import { apiName } from '../../../lambdas/shared/event-name';

describe('apiName: an event name by its API name', () => {
  it.each([
    ['CreateFunction20150331', 'CreateFunction'],
    ['UpdateFunctionCode20150331v2', 'UpdateFunctionCode'],
    ['AddPermission20150331v2', 'AddPermission'],
    ['UpdateFunctionConfiguration20150331v2', 'UpdateFunctionConfiguration'],
    ['CreateDistribution2020_05_31', 'CreateDistribution'],
    ['CreateUser', 'CreateUser'],
    ['RunInstances', 'RunInstances'],
    ['PutObject', 'PutObject'],
  ])('reads %s as %s', (eventName, expected) => {
    expect(apiName(eventName)).toBe(expected);
  });

  it('keeps a name that is nothing but a version, and digits that are not a date', () => {
    expect(apiName('20150331')).toBe('20150331');
    expect(apiName('GetObject2')).toBe('GetObject2');
    expect(apiName('Ec2Action123')).toBe('Ec2Action123');
  });
});
