import { drillSettings, lambdaEnvironments } from '../../drill/lambda-environments';
import { LAMBDA_NAMES } from '../../lib/bundling';
import { findFunction, responderStack } from '../lib/helpers';

const CONFIG = {
  dryRun: true,
  protectedUsers: ['break-glass', '/admins/*'],
  protectedRoles: ['Ops'],
  stopLaunchedInstances: true,
  lookbackDays: 7,
  quarantineWindowHours: 48,
  supportSeverity: 'urgent' as const,
};
const { template } = responderStack(CONFIG);
const drill = lambdaEnvironments(drillSettings(CONFIG, '123456789012'));

/** A function's variables in the template, without the two Powertools ones the construct adds. */
function stackVariables(name: string): Record<string, unknown> {
  const { POWERTOOLS_SERVICE_NAME: _s, POWERTOOLS_LOG_LEVEL: _l, ...rest } = findFunction(template, name)[1].Properties.Environment.Variables;
  return rest;
}

describe('the drill\'s environments and the stack\'s', () => {
  it.each([...LAMBDA_NAMES])('%s: the drill sets exactly the variables the stack sets', (name) => {
    expect(Object.keys(drill[name]).sort()).toEqual(Object.keys(stackVariables(name)).sort());
  });

  it('give the dispatcher these seven variables', () => {
    expect(Object.keys(drill.dispatcher).sort()).toEqual(['ACCOUNT_ID', 'DRY_RUN', 'PROTECTED_ROLES', 'PROTECTED_USERS', 'QUARANTINE_WINDOW_HOURS', 'STATE_MACHINE_ARN', 'TOPIC_ARN']);
  });

  it.each([...LAMBDA_NAMES])('%s: a configured value (not a resource name) is the same in both', (name) => {
    const stack = stackVariables(name);
    const literal = Object.fromEntries(Object.entries(stack).filter(([, v]) => typeof v === 'string' && !/^arn:|\$\{Token/.test(v)));
    for (const [variable, value] of Object.entries(literal)) expect([variable, drill[name][variable]]).toEqual([variable, value]);
  });

  it('carry the configuration the same way: the footholds Lambda\'s settings', () => {
    expect(stackVariables('footholds')).toMatchObject({ DRY_RUN: 'true', PROTECTED_USERS: 'break-glass,/admins/*', PROTECTED_ROLES: 'Ops', STOP_LAUNCHED_INSTANCES: 'true' });
    expect(drill.footholds).toMatchObject({ DRY_RUN: 'true', PROTECTED_USERS: 'break-glass,/admins/*', PROTECTED_ROLES: 'Ops', STOP_LAUNCHED_INSTANCES: 'true' });
  });
});
