import { COST_BASIS, costTotal, dollars, duration, usd } from './cost';
import { footholdGroups, IncidentReport, searchGapLine, OUTCOME_TAGS, secondLookLines, sharedSearchLines, verificationSkippedReason } from './record';

/** Rows of a long list shown in the Markdown; the JSON report keeps them all. */
export const MAX_ROWS = 50;
/** Longest free text (a user agent, a summary) shown in one table cell. */
const MAX_CELL = 200;


/**
 * Text from outside (CloudTrail user agents and summaries, AWS error messages) made inert: no
 * Markdown or HTML of its own, one line, a bounded length.
 */
export function text(value: string, max = MAX_CELL): string {
  const chars = Array.from(value.replace(/[\r\n\t]+/g, ' '));
  const short = chars.length > max ? `${chars.slice(0, max - 3).join('')}...` : chars.join('');
  return short.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

/** An identifier as code: copied as it is. One with a backtick or a pipe (never a real AWS id) is escaped text. */
export function code(value: string): string {
  return value === '' || /[`|\r\n]/.test(value) || value.length > MAX_CELL ? text(value) : `\`${value}\``;
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function more(total: number, shown: number, where: string): string[] {
  return total > shown ? ['', `_...and ${total - shown} more in ${where}._`] : [];
}

function section(title: string, body: string[]): string[] {
  return ['', `## ${title}`, '', ...body];
}

function facts(report: IncidentReport): string[] {
  const i = report.incident;
  const rows: Array<[string, string]> = [
    ['Outcome', `**${OUTCOME_TAGS[report.outcome]}** (${report.outcome})`],
    ['Account', code(i.accountId)],
    ['User', `${code(i.userName)}${i.principalType === 'root' ? ' (the account root user)' : ''}${i.protectedPrincipal ? ' (protected)' : ''}`],
    ['Access key', code(i.accessKeyId)],
    ['Reported by', `${text(i.source)}: ${text(i.detail)}`],
    ['Detected at', text(i.detectedAt)],
    ['Response started', text(i.dispatchedAt)],
    ...(i.leakLocation ? [['Leaked at', code(i.leakLocation)] as [string, string]] : []),
    ...(i.awsCaseId ? [['AWS case', code(i.awsCaseId)] as [string, string]] : []),
    ['Incident id', code(i.incidentId)],
    ...(report.executionId ? [['Execution', code(report.executionId)] as [string, string]] : []),
    ['Report written', text(report.generatedAt)],
  ];
  return table(['Fact', 'Value'], rows.map(([k, v]) => [k, v]));
}

function timeline(report: IncidentReport): string[] {
  return table(['Time (UTC)', 'Event'], report.timeline.map((e) => [text(e.at), text(e.event, 400)]));
}

function done(report: IncidentReport): string[] {
  const lines = report.containment.length === 0
    ? ['- Containment did not run.']
    : report.containment.map((c) => `- **${c.status}** ${text(c.action)}: ${text(c.detail, 400)}${c.at ? ` (${text(c.at)})` : ''}`);
  const v = report.verification;
  if (v) {
    if (v.status === 'skipped') {
      lines.push(`- Verification: ${verificationSkippedReason(report.containment)}.`);
    } else {
      lines.push(
        `- Verification **${v.status}** at ${text(v.checkedAt)}: key ${code(report.incident.accessKeyId)} ${text(v.keyStatus ?? 'not found')}, ` +
          `sessions revoked before ${text(v.sessionsRevokedBefore ?? 'none')}, quarantine policy ${v.quarantineAttached ? 'attached' : 'not attached'}.`,
      );
      for (const k of v.otherKeys) lines.push(`  - other key ${code(k.accessKeyId)}: ${text(k.status)} (left as it was)`);
      for (const p of v.problems) lines.push(`  - ${v.status === 'dry-run' ? 'would fix' : 'problem'}: ${text(p, 400)}`);
    }
  } else {
    lines.push('- Verification did not run.');
  }
  const e = report.evidence;
  if (e) {
    const counts: Array<[string, string]> = [
      ['created', 'snapshotted now'],
      ['existing', 'already snapshotted'],
      ['gone', 'gone'],
      ['dry-run', 'would be snapshotted (dry run)'],
      ['failed', 'failed'],
    ];
    const parts = counts.flatMap(([status, label]) => {
      const n = e.snapshots.filter((s) => s.status === status).length;
      return n > 0 ? [`${n} ${label}`] : [];
    });
    lines.push(`- Evidence: ${e.snapshots.length} instance(s)${parts.length > 0 ? `: ${parts.join(', ')}` : ''}.`);
  }
  return lines;
}

function failed(report: IncidentReport): string[] {
  if (report.failures.length === 0) return ['Nothing failed.'];
  return table(
    ['Where', 'What', 'Error'],
    report.failures.map((f) => [text(f.source), text(f.what), text(f.error, 400)]),
  );
}

function sortedCounts(counts: Record<string, number>): Array<[string, number]> {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function activity(report: IncidentReport): string[] {
  const a = report.activity;
  if (!a) {
    const failedHere = report.failures.some((f) => f.source === 'investigation');
    return [failedHere ? 'The investigation failed: see "What failed". Review CloudTrail by hand.' : 'The investigation did not run.'];
  }
  const lines: string[] = [];
  const window = a.lookback ? `from ${text(a.lookback.from)} to ${text(a.lookback.to)}${a.lookback.days !== undefined ? ` (${a.lookback.days} days)` : ''}` : 'in the lookback window';
  lines.push(`${a.eventCount} CloudTrail event(s) ${window}, ${a.regions.length} region(s) searched.`);
  const gap = searchGapLine(report.unsearchedRegions);
  if (gap) lines.push('', `**${text(gap)}**`);
  for (const line of sharedSearchLines(a.sharedSearchProblems)) lines.push('', text(line, 1000));
  if (a.firstSeen || a.lastSeen) lines.push('', `First seen ${text(a.firstSeen ?? 'unknown')}, last seen ${text(a.lastSeen ?? 'unknown')}.`);
  if (a.activityObject) lines.push('', `Full activity (one CloudTrail record a line): ${code(a.activityObject)}`);
  const regions = sortedCounts(a.byRegion);
  if (regions.length > 0) lines.push('', '### Per region', '', ...table(['Region', 'Events'], regions.map(([r, n]) => [code(r), String(n)])));
  const services = sortedCounts(a.byService);
  if (services.length > 0) {
    lines.push('', '### Per service', '', ...table(['Service', 'Events'], services.slice(0, MAX_ROWS).map(([s, n]) => [code(s), String(n)])));
    lines.push(...more(services.length, MAX_ROWS, 'report.json'));
  }
  if (a.sourceIps.length > 0) {
    lines.push('', '### Source IP addresses', '', ...table(['Source IP', 'Events'], a.sourceIps.slice(0, MAX_ROWS).map((s) => [code(s.value), String(s.count)])));
    lines.push(...more(a.sourceIps.length, MAX_ROWS, 'report.json'));
  }
  if (a.userAgents.length > 0) {
    lines.push('', '### User agents', '', ...table(['User agent', 'Events'], a.userAgents.slice(0, MAX_ROWS).map((s) => [text(s.value), String(s.count)])));
    lines.push(...more(a.userAgents.length, MAX_ROWS, 'report.json'));
  }
  if (a.notable.length > 0) {
    lines.push(
      '',
      '### Notable calls',
      '',
      ...table(
        ['Time', 'Region', 'Call', 'Source IP', 'Error', 'Summary'],
        a.notable.slice(0, MAX_ROWS).map((n) => [
          text(n.eventTime),
          code(n.region),
          code(`${n.eventSource.replace(/\.amazonaws\.com$/, '')}:${n.eventName}`),
          n.sourceIp ? code(n.sourceIp) : '',
          n.errorCode ? code(n.errorCode) : '',
          text(n.summary),
        ]),
      ),
    );
    lines.push(...more(a.notable.length, MAX_ROWS, 'report.json'));
  }
  return lines;
}

function reach(report: IncidentReport): string[] {
  const r = report.reach;
  if (!r) return ['Not known: the investigation did not report it.'];
  const ids = (values: string[]) => (values.length > 0 ? values.map(code).join(', ') : 'none');
  const lines = [
    `- Attached policies: ${ids(r.attachedPolicies)}`,
    `- Inline policies: ${ids(r.inlinePolicies)}`,
    ...r.groups.map((g) => `- Group ${code(g.groupName)}: attached ${ids(g.attachedPolicies)}; inline ${ids(g.inlinePolicies)}`),
    ...(r.allowedBeforeContainment ? [`- High-risk actions allowed before containment: ${ids(r.allowedBeforeContainment)}`] : []),
    `- High-risk actions allowed now: ${ids(r.allowedHighRisk)}`,
    `- High-risk actions denied now: ${ids(r.deniedHighRisk)}`,
  ];
  return lines;
}

function leftBehind(report: IncidentReport): string[] {
  const l = report.leftBehind;
  if (!l) return ['Not known: the investigation did not report it.'];
  const ids = (values: string[]) => (values.length > 0 ? values.map(code).join(', ') : 'none');
  const lines = [
    `- Users created: ${ids(l.users)}`,
    `- Access keys created: ${l.accessKeys.length > 0 ? l.accessKeys.map((k) => `${k.accessKeyId ? code(k.accessKeyId) : 'a key'} of ${code(k.userName)}`).join(', ') : 'none'}`,
    `- Console passwords created: ${ids(l.loginProfiles)}`,
    `- Roles created: ${ids(l.roles)}`,
    `- Policies created or attached: ${ids(l.policies)}`,
  ];
  const regions = Object.keys(l.instancesByRegion).sort();
  if (regions.length === 0) {
    lines.push('- Instances launched or started: none');
  } else {
    lines.push('', '### Instances per region');
    for (const region of regions) {
      lines.push('', `#### ${code(region)}`, '');
      for (const i of l.instancesByRegion[region]) lines.push(`- ${code(i.instanceId)} (${text(i.via)})`);
    }
  }
  return lines;
}

function evidence(report: IncidentReport): string[] {
  const e = report.evidence;
  if (!e) {
    const failedHere = report.failures.some((f) => f.source === 'evidence');
    return [failedHere ? 'The evidence step failed: see "What failed". Snapshot the instances by hand.' : 'The evidence step did not run.'];
  }
  if (e.skipped) return [`No evidence was preserved: ${text(e.skipped)}.`];
  if (e.snapshots.length === 0) return ['No instance to snapshot: the key launched or started none.'];
  const ids = (values: string[]) => values.map(code).join(', ');
  return [
    ...(e.dryRun ? ['Dry run: nothing was snapshotted.', ''] : []),
    ...table(
      ['Region', 'Instance', 'Status', 'Snapshots', 'Volumes', 'Error'],
      e.snapshots.map((s) => [code(s.region), code(s.instanceId), s.status, ids(s.snapshotIds), ids(s.volumeIds), s.error ? code(s.error) : '']),
    ),
  ];
}

function cost(report: IncidentReport): string[] {
  const c = report.costExposure;
  if (!c) return [];
  const total = c.running > 0 ? [`Total: ${costTotal(c)}.`, ''] : [];
  return [
    `_${text(COST_BASIS)}._`,
    '',
    ...total,
    ...table(
      ['Instance', 'Type', 'Region', 'State', 'Running since', 'On-demand $/hour', 'Running for', 'Estimate so far'],
      c.instances.map((e) => [
        code(e.instanceId),
        code(e.instanceType),
        code(e.region),
        text(e.state ?? 'unknown'),
        text(e.runningSince ?? 'unknown'),
        e.usdPerHour !== undefined ? `${usd(e.usdPerHour)}${e.operatingSystem ? ` (${e.operatingSystem})` : ''}` : e.priceUnknown ? `price unknown: ${text(e.priceUnknown)}` : '',
        e.hoursSoFar !== undefined ? duration(e.hoursSoFar) : '',
        e.estimatedUsdSoFar !== undefined ? dollars(e.estimatedUsdSoFar) : '',
      ]),
    ),
  ];
}

/** An open item or an undo step: what, then its command as a code block. */
function items(list: IncidentReport['stillOpen'], empty: string): string[] {
  if (list.length === 0) return [empty];
  return list.flatMap((item, n) => [`${n + 1}. ${text(item.what, 1000)}`, ...(item.command ? ['', '   ```', `   ${item.command}`, '   ```'] : [])]);
}

/** `report.md`: the report for a human, readable as plain text too. Pure. */
export function renderMarkdown(report: IncidentReport): string {
  const i = report.incident;
  const lines = [
    `# [${OUTCOME_TAGS[report.outcome]}] Exposed access key ${code(i.accessKeyId)} of ${code(i.userName)} in account ${code(i.accountId)}`,
    '',
    `**${text(report.headline, 400)}**`,
    ...report.notes.flatMap((n) => ['', `> ${text(n, 600)}`]),
    ...section('Still open', items(report.stillOpen, 'Nothing: containment is in place.')),
    ...section('Facts', facts(report)),
    ...section('Timeline', timeline(report)),
    ...section(report.dryRun ? 'What would have been done (dry run)' : 'What was done', done(report)),
    ...footholdGroups(report.footholds).flatMap((g) => section(g.title, items(g.items, ''))),
    ...(report.secondLook ? section('Second look', secondLookLines(report.secondLook).map((l) => text(l, 1000))) : []),
    ...section('What failed', failed(report)),
    ...section('What the key did', activity(report)),
    ...section('What the key can do', reach(report)),
    ...section('What the key left behind', leftBehind(report)),
    ...section('Evidence', evidence(report)),
    ...(report.costExposure ? section('Cost exposure', cost(report)) : []),
    ...section('Manual follow-ups', report.followUps.map((f, n) => `${n + 1}. ${text(f, 1000)}`)),
    ...section('Undo (once the user is clean)', items(report.undo, report.dryRun ? 'Nothing to undo: this was a dry run.' : 'Nothing to undo: the responder changed nothing.')),
    ...section('Where to look', report.links.map((l) => `- [${text(l.label)}](${l.url})`)),
    ...(report.supportCase ? section('AWS support', [text(report.supportCase, 600)]) : []),
    '',
  ];
  return lines.join('\n');
}
