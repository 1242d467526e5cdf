import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';
import { BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The repository root: where package.json, package-lock.json and lambdas/ live. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** The responder's Lambdas, in the order of an incident. */
export const LAMBDA_NAMES = ['dispatcher', 'contain', 'verify', 'investigate', 'footholds', 'evidence', 'report', 'support', 'slack', 'notify', 'signals'] as const;
export type LambdaName = (typeof LAMBDA_NAMES)[number];

/** Each Lambda's entry, relative to {@link PROJECT_ROOT}: `lambdas/<name>/index.ts`. */
export const LAMBDA_ENTRIES: Readonly<Record<LambdaName, string>> = {
  dispatcher: 'lambdas/dispatcher/index.ts',
  contain: 'lambdas/contain/index.ts',
  verify: 'lambdas/verify/index.ts',
  investigate: 'lambdas/investigate/index.ts',
  footholds: 'lambdas/footholds/index.ts',
  evidence: 'lambdas/evidence/index.ts',
  report: 'lambdas/report/index.ts',
  support: 'lambdas/support/index.ts',
  slack: 'lambdas/slack/index.ts',
  notify: 'lambdas/notify/index.ts',
  signals: 'lambdas/signals/index.ts',
};

/** Absolute path of a Lambda's entry. */
export function lambdaEntry(name: LambdaName): string {
  return path.join(PROJECT_ROOT, LAMBDA_ENTRIES[name]);
}

/**
 * Gives the ESM bundle a real `require`. When a bundled dependency is CommonJS and requires a Node
 * built-in (the SDK's CJS builds do: `require('node:https')`), esbuild's ESM output otherwise
 * throws `Dynamic require of "node:https" is not supported` when that code runs. With
 * `mainFields: ['module', 'main']` and today's pinned SDK no bundle has such a require, so this
 * is a guard for the next dependency that does.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (the SDK's default credential chain): it
 * exports `defaultProvider` = `fromEnv`. In Lambda the role's credentials are always in the
 * environment; the rest of the chain (SSO, ini files, web identity, login, and the nested STS/SSO
 * clients) never runs there and is over 100 KB of every bundle. Relative to {@link PROJECT_ROOT}.
 */
export const LAMBDA_CREDENTIALS_SHIM = 'lambdas/shared/lambda-credentials.ts';
/** The module the shim replaces. */
export const SDK_DEFAULT_CREDENTIALS_MODULE = '@aws-sdk/credential-provider-node';

/**
 * Left out of the bundles (but those of {@link EVENT_STREAM_LAMBDAS}): the SDK's event-stream
 * support, which most clients load only through a dynamic `import()` when an operation streams
 * events. IAM, Step Functions, SNS, EC2, CloudTrail, Support and Secrets Manager calls made here
 * have none, so it is never loaded; should it ever be, the Lambda runtime's own SDK copy answers
 * the import. About 20 KB less in each of those bundles.
 */
export const NEVER_LOADED_MODULES = ['@smithy/core/event-streams'] as const;

/**
 * The Lambdas whose bundle keeps the event-stream support: the S3 client imports it statically
 * (for SelectObjectContent), so an ES module bundle without it fails at cold start
 * (`Cannot find package '@smithy/core'`). investigate and report write records with it (support
 * builds its summary from the pure `lambdas/report/record.ts`, without S3). A test checks this list
 * against the bundles.
 */
export const EVENT_STREAM_LAMBDAS: readonly LambdaName[] = ['investigate', 'report'];

/** The modules left out of a Lambda's bundle: {@link NEVER_LOADED_MODULES}, unless it is one of {@link EVENT_STREAM_LAMBDAS}. */
export function externalModules(name?: LambdaName): string[] {
  return name !== undefined && EVENT_STREAM_LAMBDAS.includes(name) ? [] : [...NEVER_LOADED_MODULES];
}

/** The Node.js version the bundles target; the Lambda runtime is nodejs24.x. */
export const NODE_TARGET = 'node24';

/**
 * The esbuild options every Lambda is bundled with, as esbuild's own `build()` takes them; a
 * benchmark bundles exactly as `cdk synth` does with {@link esbuildOptions}:
 *
 * ```ts
 * await esbuild.build({ ...esbuildOptions('contain'), entryPoints: [lambdaEntry('contain')], outdir });
 * ```
 *
 * - ESM (`index.mjs`): smaller and faster to load than CJS (tree-shaking of the SDK's ESM builds).
 * - The AWS SDK is bundled, not taken from the runtime: the versions are the ones pinned in
 *   package.json and tested, and a bundled client loads faster than the runtime's copy on disk.
 * - `mainFields: ['module', 'main']` picks the SDK's ESM builds (esbuild prefers `main` on node).
 * - No source map: it would double the bundle and the cold start; stack traces name our functions
 *   anyway because the code is small.
 * - The SDK's default credential chain is replaced by the environment provider
 *   ({@link LAMBDA_CREDENTIALS_SHIM}), and its event-stream support left out
 *   ({@link NEVER_LOADED_MODULES}) where nothing imports it statically ({@link externalModules}).
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  external: [...NEVER_LOADED_MODULES],
  alias: { [SDK_DEFAULT_CREDENTIALS_MODULE]: path.join(PROJECT_ROOT, LAMBDA_CREDENTIALS_SHIM) },
  outExtension: { '.js': '.mjs' },
} as const satisfies BuildOptions;

/** {@link ESBUILD_OPTIONS} with the external modules of one Lambda ({@link externalModules}). */
export function esbuildOptions(name: LambdaName) {
  return { ...ESBUILD_OPTIONS, external: externalModules(name) } satisfies BuildOptions;
}

/**
 * The same options for `NodejsFunction` (which runs the local esbuild: never Docker), for the
 * Lambda `name` (its external modules: {@link externalModules}). It writes `index.mjs` for the
 * ESM format, so the handler is `index.handler`.
 */
export function nodejsBundlingOptions(name?: LambdaName): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: ESBUILD_OPTIONS.target,
    minify: ESBUILD_OPTIONS.minify,
    sourceMap: ESBUILD_OPTIONS.sourcemap,
    mainFields: [...ESBUILD_OPTIONS.mainFields],
    banner: ESBUILD_OPTIONS.banner.js,
    bundleAwsSDK: true,
    externalModules: externalModules(name),
    // Local bundling runs esbuild in the project root: the alias is relative to it.
    esbuildArgs: { '--alias': `${SDK_DEFAULT_CREDENTIALS_MODULE}=./${LAMBDA_CREDENTIALS_SHIM}` },
    forceDockerBundling: false,
  };
}
