// @ts-check
/**
 * ESLint rule `switchyard/doc-references`: what a comment refers to must exist, so a
 * rename cannot leave a doc comment pointing at nothing.
 *
 * - `{@link Name}`, `{@link Name.member}` in a doc comment: resolved by the type
 *   checker, as an editor resolves it.
 * - A code name in backticks in a doc comment, `` `consoleLogger` ``,
 *   `` `BullQueueProvider.backoffStrategy` ``, `` `toJobInfo()` ``: every part must be
 *   declared somewhere in the file's program (its own files, what it imports, the
 *   types of its dependencies and of Node). Only compound names are taken for code
 *   (a lower-case letter or digit followed by a capital: `jobId`, `QueueProvider`);
 *   single words in backticks are as often states, options or prose (`active`).
 * - A Markdown file named in any comment, `docs/guarantees.md`: it must exist beside
 *   the file or in a folder above it, up to the repository root.
 *
 * It needs type information (parserOptions.project), which the config gives every
 * TypeScript file.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import ts from 'typescript';

/** Every name declared in a program, computed once per program. */
const declaredNamesByProgram = new WeakMap();

/** @param {ts.Program} program */
function declaredNames(program) {
  let names = declaredNamesByProgram.get(program);
  if (names !== undefined) return names;
  names = new Set();
  /** @param {ts.Node} node */
  const visit = (node) => {
    const name = /** @type {{ name?: ts.Node }} */ (node).name;
    if (name !== undefined && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name)))
      names.add(name.text);
    ts.forEachChild(node, visit);
  };
  for (const file of program.getSourceFiles()) visit(file);
  declaredNamesByProgram.set(program, names);
  return names;
}

const BACKTICKED_NAME = /`([A-Za-z_$][\w$]*(?:\.[A-Za-z_$#][\w$]*)*)(?:\(\))?`/g;
const COMPOUND = /[a-z0-9][A-Z]/;
// A path ending in .md that is not part of a URL or a longer path.
const MARKDOWN_FILE = /(?<![\w./:-])((?:[\w.-]+\/)*[\w.-]+\.md)\b/g;

/** @param {ts.JSDoc} doc @returns {(ts.JSDocLink | ts.JSDocLinkCode | ts.JSDocLinkPlain)[]} */
function linksOf(doc) {
  const parts = [];
  const collect = (/** @type {string | ts.NodeArray<ts.JSDocComment> | undefined} */ comment) => {
    if (comment !== undefined && typeof comment !== 'string') parts.push(...comment);
  };
  collect(doc.comment);
  for (const tag of doc.tags ?? []) collect(tag.comment);
  return parts.filter((part) => ts.isJSDocLink(part) || ts.isJSDocLinkCode(part) || ts.isJSDocLinkPlain(part));
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Names and Markdown files that comments refer to must exist' },
    schema: [],
    messages: {
      unresolvedLink: '{@link {{name}}} resolves to nothing',
      undeclaredName:
        '`{{name}}` names nothing declared in this program ({{missing}} is not); rename it or drop the backticks',
      missingFile: '{{file}} does not exist beside this file or above it',
    },
  },
  create(context) {
    const program = /** @type {ts.Program | undefined} */ (context.sourceCode.parserServices?.program);
    const sourceFile = program?.getSourceFile(context.filename);
    const root = context.cwd;

    /** @param {number} start @param {number} end */
    const locOf = (start, end) => ({
      start: context.sourceCode.getLocFromIndex(start),
      end: context.sourceCode.getLocFromIndex(end),
    });

    /** @param {string} file */
    const fileExists = (file) => {
      for (let dir = dirname(context.filename); ; dir = dirname(dir)) {
        if (existsSync(join(dir, file))) return true;
        if (dir === root || dir === dirname(dir)) return false;
      }
    };

    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const [start] = /** @type {[number, number]} */ (comment.range);
          const textStart = start + 2; // after `//` or `/*`
          for (const match of comment.value.matchAll(MARKDOWN_FILE)) {
            const file = /** @type {string} */ (match[1]);
            if (!fileExists(file.split('/').join(sep))) {
              context.report({
                loc: locOf(textStart + match.index, textStart + match.index + file.length),
                messageId: 'missingFile',
                data: { file },
              });
            }
          }
          if (comment.type !== 'Block' || !comment.value.startsWith('*') || program === undefined) continue;
          const names = declaredNames(program);
          for (const match of comment.value.matchAll(BACKTICKED_NAME)) {
            const name = /** @type {string} */ (match[1]);
            const parts = name.split('.');
            if (!COMPOUND.test(/** @type {string} */ (parts[0]))) continue;
            const missing = parts.filter((part) => !names.has(part));
            if (missing.length > 0) {
              context.report({
                loc: locOf(textStart + match.index, textStart + match.index + match[0].length),
                messageId: 'undeclaredName',
                data: { name, missing: missing.map((part) => `\`${part}\``).join(', ') },
              });
            }
          }
        }
        if (program === undefined || sourceFile === undefined) return;
        const checker = program.getTypeChecker();
        const seen = new Set();
        /** @param {ts.Node} node */
        const visit = (node) => {
          for (const doc of ts.getJSDocCommentsAndTags(node)) {
            if (!ts.isJSDoc(doc) || seen.has(doc.pos)) continue;
            seen.add(doc.pos);
            for (const link of linksOf(doc)) {
              // `{@link https://...}` is a URL, not a name.
              if (link.name === undefined || link.text.startsWith('://')) continue;
              if (checker.getSymbolAtLocation(link.name) === undefined) {
                context.report({
                  loc: locOf(link.getStart(sourceFile), link.end),
                  messageId: 'unresolvedLink',
                  data: { name: link.name.getText(sourceFile) },
                });
              }
            }
          }
          ts.forEachChild(node, visit);
        };
        visit(sourceFile);
      },
    };
  },
};
