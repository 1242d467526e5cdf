// The human timeline's lines for what the workflow told the outside (drill/timeline.ts).
import type { DrillOutput } from './run-drill';

export function signalLines(output: Pick<DrillOutput, 'events'>): string[] {
  const lines = ['', `events put (${output.events.length}):`];
  for (const e of output.events) {
    const d = e.detail as { incidentId?: string; outcome?: string; stillOpenCount?: number };
    lines.push(`  ${e.eventBusName} bus: ${e.source} / ${e['detail-type']}: ${d.incidentId ?? '?'} ${d.outcome ?? '?'}, ${d.stillOpenCount ?? 0} still open`);
  }
  return lines;
}
