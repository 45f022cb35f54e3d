// The import direction of DESIGN.md ("Imports flow one way"), checked by `npm run lint`.
// Type-only imports count: they couple layers just the same (tsPreCompilationDeps).

/** Any file of the project (as opposed to node_modules or node's core modules). */
const project = '^(src|cli|adapters|harness|fixtures|scripts|tests|bin|examples)/';
const product = '^(src|cli|adapters|harness|fixtures)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-self-contained',
      comment: 'src/protocol and src/env import nothing of the project but each other.',
      severity: 'error',
      from: { path: '^src/(protocol|env)/' },
      to: { path: project, pathNot: '^src/(protocol|env)/' },
    },
    {
      name: 'src-not-to-outer-layers',
      comment: 'src/ is the generic core: it imports nothing above it (cli/ is the composition root that wires adapters, harness and fixtures together).',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(cli|adapters|harness|fixtures|scripts|tests)/' },
    },
    {
      name: 'adapters-not-to-harness-fixtures-cli',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^(harness|fixtures|cli)/' },
    },
    {
      name: 'harness-not-to-adapters-fixtures-cli',
      comment: 'The harness receives Env factories and profiles; it never imports a concrete adapter.',
      severity: 'error',
      from: { path: '^harness/' },
      to: { path: '^(adapters|fixtures|cli)/' },
    },
    {
      name: 'fixtures-only-to-protocol',
      comment: 'Fixtures use src/protocol for shapes and src/python for Python-exact text, nothing else of src/, and never the harness or cli.',
      severity: 'error',
      from: { path: '^fixtures/' },
      to: { path: '^(harness|src|cli)/', pathNot: '^src/(protocol|python)/' },
    },
    {
      name: 'fixtures-only-to-adapter-profiles',
      comment: "Fixtures may import an adapter's pure profile, nothing else of adapters/.",
      severity: 'error',
      from: { path: '^fixtures/' },
      to: { path: '^adapters/', pathNot: '^adapters/[^/]+/.*profile.*\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'Product code runs after `npm install --omit=dev`: no devDependencies (types packages aside).',
      severity: 'error',
      from: { path: product },
      to: { dependencyTypes: ['npm-dev'], pathNot: 'node_modules/@types/' },
    },
    {
      name: 'no-non-package-json',
      comment: 'Every npm import is declared in package.json.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
