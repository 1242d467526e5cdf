/**
 * Parsing of the organization-mode context keys (`organizationId`, `memberOrganizationalUnits`,
 * `deleteMemberRootKeys`).
 * Split from config.ts; every function throws an Error naming its context key.
 */
import { flag, invalid, list } from './config-principals';

/** An AWS Organizations organization id, as `aws organizations describe-organization` prints it. */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** An organizational unit id (`ou-<root id part>-<ou part>`). */
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

/** Organization mode: one central responder for the member accounts of the organizational units. */
export interface OrganizationConfig {
  /** The organization (`o-...`): only its principals may put events on the central bus and assume the member role. */
  readonly organizationId: string;
  /** The organizational units (`ou-...`) the member StackSet deploys to, automatically, each account as it joins. */
  readonly memberOrganizationalUnits: readonly string[];
  /**
   * Whether the contain Lambda DELETES an exposed root access key of a member account, through
   * centralized root access (`sts:AssumeRoot` with the `IAMDeleteRootUserCredentials` task policy,
   * lambdas/contain/root-key.ts). IRREVERSIBLE: a deleted key cannot be restored. Context
   * `deleteMemberRootKeys`.
   * @default false - a member's exposed root key escalates to people, and nothing is changed
   */
  readonly deleteMemberRootKeys?: boolean;
}

/**
 * `organizationId` and `memberOrganizationalUnits`, both or neither: one without the other is
 * refused (an organization with no member unit would deploy a central bus nobody writes to).
 * `deleteMemberRootKeys` (true or false) only with them: AssumeRoot reaches member accounts only.
 */
export function parseOrganization(organizationId: unknown, units: unknown, deleteRootKeys?: unknown): OrganizationConfig | undefined {
  const deleteMemberRootKeys = flag('deleteMemberRootKeys', deleteRootKeys, false);
  const ous = list('memberOrganizationalUnits', units);
  const bad = ous.filter((u) => !OU_ID.test(u));
  if (bad.length > 0) {
    throw invalid('memberOrganizationalUnits', `expected organizational unit ids (ou-xxxx-xxxxxxxx): ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  }
  const id = organizationId === undefined || organizationId === null || organizationId === '' ? undefined : organizationId;
  if (id === undefined) {
    if (ous.length > 0) throw invalid('memberOrganizationalUnits', 'needs organizationId (o-...): the units are of an organization');
    if (deleteMemberRootKeys) {
      throw invalid('deleteMemberRootKeys', 'needs organization mode (organizationId, memberOrganizationalUnits): sts:AssumeRoot reaches only the member accounts of an organization');
    }
    return undefined;
  }
  if (typeof id !== 'string' || !ORGANIZATION_ID.test(id.trim())) {
    throw invalid('organizationId', `expected an organization id (o- and 10 to 32 lower-case letters or digits), got ${JSON.stringify(id)}`);
  }
  if (ous.length === 0) {
    throw invalid('organizationId', 'needs memberOrganizationalUnits (ou-...[,ou-...]): the units whose accounts get the member stack');
  }
  return { organizationId: id.trim(), memberOrganizationalUnits: [...new Set(ous)], deleteMemberRootKeys };
}
