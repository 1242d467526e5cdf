import { invalid } from './config-principals';

/** Parsing of the `slackWebhookSecret` context key (split from config.ts). */

/** Secrets Manager's characters for a secret name (1 to 512 of them). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** A complete secret ARN: the name followed by `-` and the six random characters Secrets Manager adds. */
const SECRET_COMPLETE_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

/** A name ending like a secret ARN's random suffix: ambiguous in a partial ARN. */
const AMBIGUOUS_SECRET_NAME = /-[A-Za-z0-9]{6}$/;

/** Whether a (valid) `slackWebhookSecret` is an ARN rather than a name. */
export function isSecretArn(nameOrArn: string): boolean {
  return nameOrArn.startsWith('arn:');
}

export function parseSlackWebhookSecret(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid('slackWebhookSecret', `expected a secret name or ARN, got ${JSON.stringify(value)}`);
  const secret = value.trim();
  if (secret === '') return undefined;
  // Never echo a URL: it may be the webhook itself, which is a credential (and a name would put it in the template).
  if (secret.includes('://') || /hooks\.slack\.com/i.test(secret)) {
    throw invalid('slackWebhookSecret', 'expected the name or ARN of a Secrets Manager secret holding the webhook URL, not a URL: store the URL in a secret and pass its name');
  }
  if (isSecretArn(secret)) {
    if (!SECRET_COMPLETE_ARN.test(secret)) {
      throw invalid(
        'slackWebhookSecret',
        `expected a complete Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>, as describe-secret prints it) or a secret name, got ${JSON.stringify(secret)}`,
      );
    }
    return secret;
  }
  if (!SECRET_NAME.test(secret)) {
    throw invalid('slackWebhookSecret', `not a Secrets Manager secret name (1-512 of [A-Za-z0-9/_+=.@-]): ${JSON.stringify(secret)}`);
  }
  // The Lambda is given the secret's partial ARN (no suffix), which Secrets Manager may resolve
  // wrongly when the name itself looks suffixed.
  if (AMBIGUOUS_SECRET_NAME.test(secret)) {
    throw invalid(
      'slackWebhookSecret',
      `the secret name ${JSON.stringify(secret)} ends with a hyphen and six characters, like the suffix Secrets Manager adds to ARNs, so it cannot be found reliably by name: pass its complete ARN instead`,
    );
  }
  return secret;
}
