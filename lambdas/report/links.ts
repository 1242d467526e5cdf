// Console pages that open on one incident: the execution, its logs, the user, the key's CloudTrail history.
import { ACCOUNT_ID_PATTERN, type Incident } from '../shared/incident';

export interface Link {
  readonly label: string;
  readonly url: string;
}

/** The region of an ARN (the execution's), else us-east-1 where the responder runs. */
function regionOf(arn: string | undefined): string {
  const region = arn?.split(':')[3];
  return region && /^[a-z]{2,}(-[a-z]+)+-\d{1,2}$/.test(region) ? region : 'us-east-1';
}

/** The account of an ARN (the execution's: where the responder runs), if it has one. */
function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && ACCOUNT_ID_PATTERN.test(account) ? account : undefined;
}

/** The CloudWatch console's own URL encoding of a Logs Insights query (`*` for `%` inside, `$` for `%` outside). */
function insightsFragment(query: string, start: number): string {
  const inner = (value: string) => encodeURIComponent(value).replace(/%/g, '*');
  const detail = `~(end~0~start~-${start}~timeType~'RELATIVE~unit~'seconds~editorString~'${inner(query)}~source~())`;
  return `logsV2:logs-insights${encodeURIComponent(`?queryDetail=${detail}`).replace(/%/g, '$')}`;
}

/**
 * The console links of an incident; pure. The execution and the logs are the responder's; the user
 * and the key's CloudTrail history are in the key's account: when that is another account (a member
 * account in organization mode) the console shows them only to someone signed in there, so their
 * labels say which account.
 */
export function consoleLinks(incident: Incident, executionId: string | undefined): Link[] {
  const region = regionOf(executionId);
  const responderAccount = accountOf(executionId);
  const where = responderAccount && responderAccount !== incident.accountId
    ? ` (in account ${incident.accountId}: sign in to that account first)`
    : '';
  const console = `https://${region}.console.aws.amazon.com`;
  const links: Link[] = [];
  if (executionId) {
    links.push({ label: 'Step Functions execution', url: `${console}/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(executionId)}` });
  }
  const query = `fields @timestamp, @log, level, message | filter incidentId = "${incident.incidentId}" | sort @timestamp asc`;
  links.push({ label: `CloudWatch Logs Insights: the responder's logs of incident ${incident.incidentId} (choose its log groups)`, url: `${console}/cloudwatch/home?region=${region}#${insightsFragment(query, 7 * 24 * 3600)}` });
  if (incident.principalType !== 'root') {
    links.push({ label: `IAM user ${incident.userName}${where}`, url: `https://console.aws.amazon.com/iam/home#/users/details/${encodeURIComponent(incident.userName)}?section=security_credentials` });
  }
  links.push({
    label: `CloudTrail event history of key ${incident.accessKeyId} (${region}; change the region for the others)${where}`,
    url: `${console}/cloudtrail/home?region=${region}#/events?AccessKeyId=${encodeURIComponent(incident.accessKeyId)}`,
  });
  return links;
}
