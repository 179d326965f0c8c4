// @ts-check
// ESLint: typescript-eslint's strict, type-checked rules over every TypeScript file
// (packages' sources and tests, the cross-package tests, scripts, bench, tools), and
// no formatting rules at all: Prettier formats (`npm run format`), and
// eslint-config-prettier switches off whatever rule would argue with it.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import docReferences from './tools/eslint/doc-references.js';

export default defineConfig(
  // Built or generated; the doc-references rule's fixture is wrong on purpose.
  { ignores: ['**/dist/', 'coverage/', 'bench/results/', 'test/artifacts/', 'test/tools/fixtures/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked],
    plugins: { switchyard: { rules: { 'doc-references': docReferences } } },
    languageOptions: {
      parserOptions: {
        // Each package's own tsconfig for its src/, tsconfig.test.json for the rest
        // (tests, scripts, bench, tools): the programs `tsc -b` and
        // `npm run typecheck:tests` build, so ESLint sees the types they see. Tests
        // import the packages' built declarations: run `npm run build` first
        // (`npm run lint` does).
        project: ['./packages/*/tsconfig.json', './tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Doc comments name things in backticks or {@link}: each name must exist.
      'switchyard/doc-references': 'error',
      // Not in the strict set, asked for: a switch over a union must handle every
      // member, or say what the rest do with a `default`.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Numbers in messages and ids read as they should.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `() => resolve()` and `(line) => lines.push(line)` are this code's way of
      // writing a callback; braces would add nothing.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // A rejection forwards what the processor, the backend or the caller threw, as it was.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // `Promise.all(items.map((x) => (known ? null : lookUp(x))))` is meant.
      '@typescript-eslint/await-thenable': ['error', { allowMixedPromiseArrays: true }],
      // `const { omitted: _, ...rest } = job` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // `let [name, offset] = read(...)` then `offset = ...`: one declaration, not two.
      'prefer-const': ['error', { destructuring: 'all' }],

      // Disabled, with the reason:
      // - With noUncheckedIndexedAccess, `array[i]!` after a length or `has()` check
      //   is how this code says "present" (some 160 places); the alternative is a
      //   runtime check that cannot fail.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // - Methods of a Promise-returning contract are `async` even when they need no
      //   `await` (the memory provider, test processors): a synchronous throw must
      //   reach the caller as a rejection, as it does from the other providers.
      '@typescript-eslint/require-await': 'off',
      // - Values are checked again at run time where the types say they cannot be
      //   wrong: public methods check their arguments for JavaScript callers and bad
      //   casts (the contract asks every provider for the same answer to every bad
      //   argument), and providers read documents and jobs that other programs wrote
      //   (plain Agenda, plain Bull). These three rules call such checks dead code.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'off',
      // - `scheduleJob<T>(name, data: T)` lets a caller name the type of the payload
      //   it sends; the type parameter is part of the contract, used once on purpose.
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
    },
  },
  {
    // The MongoDB wire test server and its tests handle BSON documents, which the
    // bson and mongodb types declare as `{ [key: string]: any }`: every field read is
    // `any` by those types' choice, and the code checks what it reads at run time.
    files: ['test/support/mongo-wire-server/**/*.ts', 'test/mongo-wire-server/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // They call createIndex(keys, options), the form Agenda's mongo-backend sends,
      // which mongodb 7's types mark deprecated.
      '@typescript-eslint/no-deprecated': 'off',
    },
  },
  {
    // The few JavaScript files: this config, the lint rule, mocha's reporter, the
    // dashboard's browser script. ESLint's recommended rules, without types.
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['packages/admin/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  prettier,
);
