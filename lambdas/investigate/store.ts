// The investigation's writes: objects of the incident, in the incident bucket.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Incident } from '../shared/incident';
import { Context, errorText, Failure, withBackoff } from './deps';

/**
 * Writes `incidents/<incidentId>/<name>` to the incident bucket (with the same back-off as every
 * call here); a write that fails is a failure of the investigation, saying what was `lost`.
 */
export async function saveObject(
  incident: Incident,
  name: string,
  body: string,
  contentType: string,
  lost: string,
  ctx: Context,
): Promise<{ object?: string; failures: Failure[] }> {
  const { bucket } = ctx.deps.config;
  const key = `incidents/${incident.incidentId}/${name}`;
  try {
    await withBackoff(ctx, 's3:PutObject', () => ctx.deps.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType })));
    return { object: `s3://${bucket}/${key}`, failures: [] };
  } catch (err) {
    return { failures: [{ what: `s3:PutObject s3://${bucket}/${key}`, error: `${errorText(err)}: ${lost}` }] };
  }
}
