// The human timeline's lines for what the workflow told the outside (drill/timeline.ts).
import type { DrillOutput } from './run-drill';

export function signalLines(output: Pick<DrillOutput, 'events' | 'metrics'>): string[] {
  const lines = ['', `events put (${output.events.length}):`];
  for (const e of output.events) {
    const d = e.detail as { incidentId?: string; outcome?: string; stillOpenCount?: number };
    lines.push(`  ${e.eventBusName} bus: ${e.source} / ${e['detail-type']}: ${d.incidentId ?? '?'} ${d.outcome ?? '?'}, ${d.stillOpenCount ?? 0} still open`);
  }
  lines.push('', `metrics emitted (${output.metrics.length}, namespace ExposedKeyResponder):`);
  for (const m of output.metrics) lines.push(`  ${m.incidentId}: ${m.name} = ${m.value} ${m.unit}`);
  return lines;
}
