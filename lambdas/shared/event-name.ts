/**
 * Some services write the API version into CloudTrail's eventName: Lambda (`CreateFunction20150331`,
 * `UpdateFunctionCode20150331v2`, `AddPermission20150331v2`) and CloudFront
 * (`CreateDistribution2020_05_31`). The date, and a `vN` after it, are not part of the operation.
 */
const API_VERSION_SUFFIX = /(?:(?:19|20)\d{6}|(?:19|20)\d{2}_\d{2}_\d{2})(?:v\d+)?$/;

/**
 * The operation an event name stands for, by its API name (`UpdateFunctionCode20150331v2` ->
 * `UpdateFunctionCode`): what every match on an event name compares. A name that is nothing but a
 * version is kept as it is.
 */
export function apiName(eventName: string): string {
  const stripped = eventName.replace(API_VERSION_SUFFIX, '');
  return stripped === '' ? eventName : stripped;
}
