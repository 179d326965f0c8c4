import type { Rule } from 'eslint';

/** The `switchyard/doc-references` rule (doc-references.js). */
declare const docReferences: Rule.RuleModule;
export default docReferences;
