import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, DescribeExecutionCommandOutput, SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import { FootholdResultSchema } from '../lambdas/footholds/contract';
import { IncidentSchema } from '../lambdas/shared/incident';
import { reportKeys } from '../lambdas/report/record';
import { OUTCOMES } from '../lambdas/report/contract';
import { UserChangeSchema } from '../lambdas/shared/user-changes';
import { OperationError, UsageError } from './errors';

/** An incident id as the dispatcher makes it (the execution's name); anything else is unusable input. */
export function parseIncidentId(id: string | undefined): string {
  if (id === undefined) throw new UsageError('an incident id is required (see `exposed-key-responder list`)');
  if (!IncidentSchema.shape.incidentId.safeParse(id).success) throw new UsageError(`"${id}" is not an incident id (letters, digits, - and _, at most 80; e.g. AKIAIOSFODNN7EXAMPLE-20261120)`);
  return id;
}

/** What the commands read of report.json; the rest is kept as it is. */
export const RecordSchema = z.looseObject({
  incidentId: z.string(),
  generatedAt: z.string(),
  outcome: z.enum(OUTCOMES),
  dryRun: z.boolean(),
  incident: z.looseObject({ accountId: IncidentSchema.shape.accountId, accessKeyId: z.string(), userName: z.string(), detectedAt: z.string(), dispatchedAt: z.string() }),
  containment: z.array(z.looseObject({ action: z.string(), status: z.string(), detail: z.string(), at: z.optional(z.string()), changes: z.optional(z.array(UserChangeSchema)) })),
  footholds: z.optional(z.looseObject({ results: z.array(FootholdResultSchema) })),
});
export type IncidentRecord = z.infer<typeof RecordSchema>;

function isMissing(err: unknown): boolean {
  return ['NoSuchKey', 'NotFound', 'ExecutionDoesNotExist'].includes((err as Error)?.name);
}

/** An object of the incident bucket as text, or undefined when there is none. */
export async function readObject(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return out.Body ? await out.Body.transformToString() : undefined;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** The incident record (report.json) as written, parsed; undefined when there is none. */
export async function readRecord(s3: S3Client, bucket: string, incidentId: string): Promise<{ record: IncidentRecord; text: string } | undefined> {
  const text = await readObject(s3, bucket, reportKeys(incidentId).jsonKey);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OperationError('UnreadableRecord', `incidents/${incidentId}/report.json is not JSON`);
  }
  const parsed = RecordSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new OperationError('UnreadableRecord', `incidents/${incidentId}/report.json does not read as an incident record (${issues})`);
  }
  return { record: parsed.data, text };
}

/** The incident's execution, or undefined when Step Functions has none of that name. */
export async function describeExecution(sfn: SFNClient, arn: string): Promise<DescribeExecutionCommandOutput | undefined> {
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

export function unknownIncident(incidentId: string): OperationError {
  return new OperationError('UnknownIncident', `no incident ${incidentId}: no execution of that name and no record in the incident bucket (see \`exposed-key-responder list\`)`);
}
