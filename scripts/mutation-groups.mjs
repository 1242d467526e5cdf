// The safety core, in groups mutated one after the other: each group's files against the unit
// tests that decide them (folders under test/). See README, "Mutation testing".

export const GROUPS = {
  dispatcher: {
    mutate: ['lambdas/dispatcher/dispatch.ts', 'lambdas/dispatcher/resolve.ts', 'lambdas/dispatcher/owners.ts', 'lambdas/dispatcher/recent-quarantines.ts', 'lambdas/dispatcher/role-sessions.ts'],
    tests: ['lambdas/dispatcher'],
  },
  contain: {
    mutate: ['lambdas/contain/contain.ts', 'lambdas/contain/before.ts', 'lambdas/contain/revoke.ts', 'lambdas/contain/iam-call.ts', 'lambdas/contain/escalation.ts', 'lambdas/contain/iam-client.ts'],
    tests: ['lambdas/contain'],
  },
  verify: {
    mutate: ['lambdas/verify/verify.ts'],
    tests: ['lambdas/verify'],
  },
  shared: {
    mutate: [
      'lambdas/shared/events.ts',
      'lambdas/shared/detection.ts',
      'lambdas/shared/policies.ts',
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
