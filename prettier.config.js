// Prettier formats every TypeScript, JavaScript, JSON, YAML, CSS and HTML file
// (`npm run format`; `npm run lint` checks). The options keep the code's own style
// where it had one: single quotes, trailing commas, and lines up to 120 characters.
/** @type {import('prettier').Config} */
export default {
  printWidth: 120,
  singleQuote: true,
  trailingComma: 'all',
};
