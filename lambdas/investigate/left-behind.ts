// What the key created or started (users, keys, login profiles, roles, policies, instances), from
// the CloudTrail events of calls that succeeded.
import { Investigation, LIMITS } from './contract';
import { Activity } from './cloudtrail-search';
import { itemIds } from './describe-event';
import { addTo, compare, get, isObject, str } from './text';

type LeftBehind = Investigation['leftBehind'];

/** What the key created or started, from calls that succeeded. */
export class LeftBehindCollector {
  private readonly users = new Set<string>();
  private readonly accessKeys = new Map<string, { userName: string; accessKeyId?: string }>();
  private readonly loginProfiles = new Set<string>();
  private readonly roles = new Set<string>();
  private readonly policies = new Set<string>();
  private readonly instances = new Map<string, LeftBehind['instances'][number]>();

  add(event: Activity): void {
    const r = event.record;
    const p = isObject(r.requestParameters) ? r.requestParameters : {};
    const re = isObject(r.responseElements) ? r.responseElements : {};
    // Without a UserName, CreateAccessKey and CreateLoginProfile act on the caller's own user.
    const caller = str(get(r, 'userIdentity', 'userName'));
    switch (`${event.eventSource} ${event.eventName}`) {
      case 'iam.amazonaws.com CreateUser':
        addTo(this.users, str(p.userName) ?? str(get(re, 'user', 'userName')));
        break;
      case 'iam.amazonaws.com CreateAccessKey': {
        const userName = str(get(re, 'accessKey', 'userName')) ?? str(p.userName) ?? caller;
        const accessKeyId = str(get(re, 'accessKey', 'accessKeyId'));
        if (userName) this.accessKeys.set(`${userName} ${accessKeyId ?? ''}`, accessKeyId ? { userName, accessKeyId } : { userName });
        break;
      }
      case 'iam.amazonaws.com CreateLoginProfile':
        addTo(this.loginProfiles, str(p.userName) ?? str(get(re, 'loginProfile', 'userName')) ?? caller);
        break;
      case 'iam.amazonaws.com CreateRole':
        addTo(this.roles, str(p.roleName) ?? str(get(re, 'role', 'roleName')));
        break;
      case 'iam.amazonaws.com CreatePolicy':
        addTo(this.policies, str(get(re, 'policy', 'arn')) ?? str(p.policyName));
        break;
      case 'ec2.amazonaws.com RunInstances':
        for (const instanceId of itemIds(re)) this.instances.set(`${event.region} ${instanceId}`, { region: event.region, instanceId, via: 'RunInstances' });
        break;
      case 'ec2.amazonaws.com StartInstances':
        for (const instanceId of itemIds(p)) {
          // An instance the key launched stays "launched": starting it again says less.
          if (!this.instances.has(`${event.region} ${instanceId}`)) {
            this.instances.set(`${event.region} ${instanceId}`, { region: event.region, instanceId, via: 'StartInstances' });
          }
        }
        break;
    }
  }

  result(truncated: string[]): LeftBehind {
    const cap = <T>(what: string, items: T[], limit: number): T[] => {
      if (items.length <= limit) return items;
      truncated.push(`leftBehind.${what}: ${items.length} found, the first ${limit} listed: all are in the activity object`);
      return items.slice(0, limit);
    };
    const sorted = (set: Set<string>) => [...set].sort(compare);
    return {
      users: cap('users', sorted(this.users), LIMITS.leftBehind),
      accessKeys: cap(
        'accessKeys',
        [...this.accessKeys.values()].sort((a, b) => compare(a.userName, b.userName) || compare(a.accessKeyId ?? '', b.accessKeyId ?? '')),
        LIMITS.leftBehind,
      ),
      loginProfiles: cap('loginProfiles', sorted(this.loginProfiles), LIMITS.leftBehind),
      roles: cap('roles', sorted(this.roles), LIMITS.leftBehind),
      policies: cap('policies', sorted(this.policies), LIMITS.leftBehind),
      instances: cap(
        'instances',
        [...this.instances.values()].sort((a, b) => compare(a.region, b.region) || compare(a.instanceId, b.instanceId)),
        LIMITS.instances,
      ),
    };
  }
}
