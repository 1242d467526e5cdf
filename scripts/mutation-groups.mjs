// The safety core, in groups mutated one after the other (one Stryker run each): each group's files
// against the unit tests that decide them, as folders or `*.test.ts` files under test/. See
// README, "Mutation testing", and docs/mutation.md.
//
// A static (module-level) mutant, such as one action of a deny list, runs every selected test that
// loads its file; a group whose file has many of them lists only the tests of that file.

export const GROUPS = {
  dispatcher: {
    mutate: [
      'lambdas/dispatcher/dispatch.ts',
      'lambdas/dispatcher/resolve.ts',
      'lambdas/dispatcher/owners.ts',
      'lambdas/dispatcher/recent-quarantines.ts',
      'lambdas/dispatcher/role-sessions.ts',
    ],
    tests: ['lambdas/dispatcher'],
  },
  contain: {
    mutate: ['lambdas/contain/contain.ts', 'lambdas/contain/before.ts', 'lambdas/contain/revoke.ts', 'lambdas/contain/iam-call.ts', 'lambdas/contain/escalation.ts', 'lambdas/contain/iam-client.ts', 'lambdas/contain/root-key.ts'],
    tests: ['lambdas/contain'],
  },
  verify: {
    mutate: ['lambdas/verify/verify.ts'],
    tests: ['lambdas/verify'],
  },
  // 231 of its mutants are static (the action lists, the names: what a deny denies): only the tests
  // of the documents and of the reads that parse them, not every test of lambdas/shared.
  policies: {
    mutate: ['lambdas/shared/policies.ts'],
    tests: [
      'lambdas/shared/policies.test.ts',
      'lambdas/shared/policy-names.test.ts',
      'lambdas/shared/quarantine-documents.test.ts',
      'lambdas/shared/quarantine-policy.test.ts',
      'lambdas/shared/revoke-document.test.ts',
      'lambdas/shared/user-reads.test.ts',
      'lambdas/shared/user-reads-answers.test.ts',
    ],
  },
  shared: {
    mutate: [
      'lambdas/shared/events.ts',
      'lambdas/shared/detection.ts',
      'lambdas/shared/guardduty.ts',
      'lambdas/shared/incident.ts',
      'lambdas/shared/protection.ts',
      'lambdas/shared/user-reads.ts',
    ],
    tests: ['lambdas/shared'],
  },
  footholds: {
    mutate: ['lambdas/footholds/plan.ts', 'lambdas/footholds/planned.ts', 'lambdas/footholds/contain.ts'],
    tests: ['lambdas/footholds'],
  },
};
