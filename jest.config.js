/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Transpile-only: ts-jest follows tsconfig.json's `isolatedModules: true` (its own option of that
  // name is deprecated); type errors are caught by `tsc --noEmit`.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
};
