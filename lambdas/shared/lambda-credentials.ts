/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (an esbuild alias, lib/bundling.ts).
 *
 * In Lambda the execution role's credentials are always in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which is the first link of the
 * SDK's default chain anyway. The rest of that chain (SSO, shared ini files, process, web identity,
 * console login, and the STS/SSO clients they need) never runs in Lambda and is over 100 KB of
 * every bundle: without it each Lambda loads faster at cold start. Outside the bundles (tests, the
 * drill) the SDK's own default chain is used.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
