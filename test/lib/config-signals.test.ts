import { configFromContext } from '../../lib/config-context';
import { testApp } from './helpers';

const fromContext = (context: Record<string, unknown>) => configFromContext(testApp(context));

describe('timeToContainAlarmSeconds', () => {
  it('is 120 when not set, and takes a whole number of seconds from -c or cdk.json', () => {
    expect(fromContext({}).timeToContainAlarmSeconds).toBe(120);
    expect(fromContext({ timeToContainAlarmSeconds: '45' }).timeToContainAlarmSeconds).toBe(45);
    expect(fromContext({ timeToContainAlarmSeconds: 600 }).timeToContainAlarmSeconds).toBe(600);
  });

  it.each(['9', '3601', '1.5', 'two minutes', '-30', true])('rejects %p naming the key', (value) => {
    expect(() => fromContext({ timeToContainAlarmSeconds: value })).toThrow(/timeToContainAlarmSeconds/);
  });
});

describe('guardDutyMinSeverity', () => {
  it('is off (undefined) when not set or empty', () => {
    expect(fromContext({}).guardDutyMinSeverity).toBeUndefined();
    expect(fromContext({ guardDutyMinSeverity: '' }).guardDutyMinSeverity).toBeUndefined();
  });

  it('takes a severity from 1 to 10, decimals included (GuardDuty scores 5.8, 8.0...)', () => {
    expect(fromContext({ guardDutyMinSeverity: '7' }).guardDutyMinSeverity).toBe(7);
    expect(fromContext({ guardDutyMinSeverity: 5.5 }).guardDutyMinSeverity).toBe(5.5);
  });

  it.each(['0', '11', 'high', '-1', false])('rejects %p naming the key', (value) => {
    expect(() => fromContext({ guardDutyMinSeverity: value })).toThrow(/guardDutyMinSeverity/);
  });
});

describe('securityHub', () => {
  it('is false when not set; true or false otherwise', () => {
    expect(fromContext({}).securityHub).toBe(false);
    expect(fromContext({ securityHub: 'true' }).securityHub).toBe(true);
    expect(fromContext({ securityHub: false }).securityHub).toBe(false);
  });

  it.each(['yes', '1', 'TRUE '])('rejects %p naming the key', (value) => {
    expect(() => fromContext({ securityHub: value })).toThrow(/securityHub/);
  });
});
