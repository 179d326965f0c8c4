/**
 * How cross-package tests wait for an outcome without sleeping for a fixed time: the
 * contract suite's `waitFor` (polls until the condition holds, fails at the deadline).
 */
export { waitFor as waitUntil } from '@switchyard/core/testing';
