import { DescribeStackSetCommand, paginateListStackInstances, StackInstanceSummary } from '@aws-sdk/client-cloudformation';
import { MEMBER_STACK_SET_NAME } from '../../lambdas/shared/accounts';
import { CliContext } from '../context';
import { Deployment } from '../stack';
import type { Check } from './doctor';

/** At most this many failing instances are named. */
const NAMED = 10;

/**
 * Organization mode only (the stack has the CentralEventBusArn output): the member StackSet, read
 * as the StackSets delegated administrator (the central stack's account): ACTIVE, and each of its
 * stack instances CURRENT (an account whose instance failed or is outdated has no rule forwarding to
 * the central bus, or no member role: its keys are not contained). Two calls a page of 100 instances.
 */
export async function memberStackSet(ctx: CliContext, d: Deployment): Promise<Check | undefined> {
  if (!d.centralEventBusArn) return undefined;
  const cf = ctx.clients.cloudformation;
  const given = { StackSetName: MEMBER_STACK_SET_NAME, CallAs: 'DELEGATED_ADMIN' as const };
  let set;
  try {
    set = (await cf.send(new DescribeStackSetCommand(given))).StackSet;
  } catch (err) {
    if ((err as Error).name !== 'StackSetNotFoundException') throw err;
  }
  if (!set) return { check: 'member stack set', ok: false, detail: `no StackSet ${MEMBER_STACK_SET_NAME} (as delegated administrator): member accounts forward nothing. Deploy the stack again, after registering this account as StackSets delegated administrator (README, "Many accounts")` };
  if (set.Status !== 'ACTIVE') return { check: 'member stack set', ok: false, detail: `StackSet ${MEMBER_STACK_SET_NAME} is ${set.Status ?? 'UNKNOWN'}: see its operations in CloudFormation` };
  const instances: StackInstanceSummary[] = [];
  for await (const page of paginateListStackInstances({ client: cf }, given)) instances.push(...(page.Summaries ?? []));
  const bad = instances.filter((i) => i.Status !== 'CURRENT' || (i.StackInstanceStatus?.DetailedStatus !== undefined && i.StackInstanceStatus.DetailedStatus !== 'SUCCEEDED'));
  const accounts = new Set(instances.map((i) => i.Account));
  if (instances.length === 0) return { check: 'member stack set', ok: false, detail: `StackSet ${MEMBER_STACK_SET_NAME} has no stack instance: no member account is covered (are the organizational units empty?)` };
  if (bad.length > 0) {
    const named = bad.slice(0, NAMED).map((i) => `${i.Account} ${i.Region} ${i.Status ?? '?'}${i.StatusReason ? ` (${i.StatusReason})` : ''}`).join('; ');
    return { check: 'member stack set', ok: false, detail: `${bad.length} of ${instances.length} stack instance(s) not current, their accounts are not (fully) covered: ${named}${bad.length > NAMED ? '; ...' : ''}. aws cloudformation list-stack-instances --call-as DELEGATED_ADMIN --stack-set-name ${MEMBER_STACK_SET_NAME}` };
  }
  return { check: 'member stack set', ok: true, detail: `${accounts.size} member account(s), ${instances.length} stack instance(s) current (the management account is never one: README, "Many accounts")` };
}
