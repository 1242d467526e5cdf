/**
 * The wire check's own jest configuration (`npm run test:aws-compat` runs it through run.ts): its
 * files end in `.compat.ts`, so the `jest` of `npm test` never picks them up.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/aws-compat'],
  testMatch: ['**/*.compat.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  setupFiles: ['<rootDir>/test/setup.ts'],
  maxWorkers: 1,
  // Ten Lambdas as processes against a Python server on a shared 2-core machine.
  testTimeout: 600000,
};
