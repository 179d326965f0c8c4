import { expect } from 'chai';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import docReferences from '../../tools/eslint/doc-references.js';

const fixtures = fileURLToPath(new URL('./fixtures/doc-references/', import.meta.url));

describe('lint rule switchyard/doc-references', function () {
  this.timeout(60_000);

  it('reports names, links and Markdown files that comments refer to and that do not exist, and only those', async () => {
    const eslint = new ESLint({
      cwd: fixtures,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: {
            parser: tseslint.parser,
            parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixtures },
          },
          plugins: { switchyard: { rules: { 'doc-references': docReferences } } },
          rules: { 'switchyard/doc-references': 'error' },
        },
      ],
    });
    const [result] = await eslint.lintFiles(['documented.ts']);
    const found = result!.messages.map((message) => `${message.line}: ${message.message}`);
    expect(found).to.deep.equal([
      '14: `formatLines` names nothing declared in this program (`formatLines` is not); rename it or drop the backticks',
      '14: {@link formatLineOld} resolves to nothing',
      '14: gone.md does not exist beside this file or above it',
    ]);
  });
});
