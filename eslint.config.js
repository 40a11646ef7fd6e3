// Lint rules, including the one-way import arrows of STYLE.md: a wrong import fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const outside = ['./calendars', './checks', './assets', './server', './ui'];

/** Forbids `from` paths (relative to the repo root) inside `target`. */
const zone = (target, from, message) => ({ target, from, message });

const zones = [
  ...outside.map((folder) =>
    zone('./framework', folder, `framework/ knows nothing of ${folder.slice(2)}/ (DESIGN.md: the arrows point one way)`),
  ),
  // Outside framework/, only the public surface is imported.
  ...outside.map((folder) => ({
    target: folder,
    from: './framework',
    except: ['./index.ts'],
    message: `${folder.slice(2)}/ imports only framework/index.ts`,
  })),
  // Within framework/: util → partitions → definitions → planner → executor → automation; cli on top.
  zone('./framework/util', './framework/!(util)/**', 'framework/util depends on nothing else in framework/'),
  zone(
    './framework/partitions',
    './framework/!(util|partitions)/**',
    'framework/partitions depends only on util',
  ),
  zone(
    './framework/definitions',
    './framework/!(util|partitions|definitions)/**',
    'framework/definitions depends only on util and partitions',
  ),
  zone(
    './framework/planner',
    './framework/!(util|partitions|definitions|planner)/**',
    'framework/planner depends only on util, partitions and definitions',
  ),
  zone('./framework/store', './framework/!(util|partitions|definitions|store)/**', 'framework/store depends only on definitions and partitions'),
  zone('./framework/io', './framework/!(util|partitions|definitions|io)/**', 'framework/io depends only on definitions and partitions'),
  zone(
    './framework/executor',
    './framework/!(util|partitions|definitions|planner|store|io|executor)/**',
    'framework/executor sits below automation and cli',
  ),
  zone('./framework/automation', './framework/cli', 'framework/automation sits below cli'),
  // Audit retention and reports work on the store and io; lineage listens to the executor.
  zone('./framework/audit', './framework/!(util|partitions|definitions|store|io|audit)/**', 'framework/audit depends only on util, partitions, definitions, store and io'),
  zone('./framework/lineage', './framework/!(util|partitions|definitions|store|io|executor|lineage)/**', 'framework/lineage sits beside automation, below cli'),
  zone('./framework/!(cli)/**', './framework/index.ts', 'inside framework/, import the module, not the public surface'),
];

export default tseslint.config(
  { ignores: ['tmp/**', 'node_modules/**', '.daybook/**', 'ui/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { 'import-x': importX },
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones, basePath: import.meta.dirname }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } }, 'import-x/ignore': ['node_modules'] },
  },
  // ui/src runs in the browser, bundled by ui/build.ts: it imports its own modules, and types only from server/api-types.ts.
  {
    files: ['ui/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^[^.]', message: 'ui/src runs in the browser: no packages or node modules' },
            {
              group: ['**/server/**', '!**/server/api-types.ts', '**/framework/**', '**/assets/**', '**/checks/**', '**/calendars/**'],
              message: 'ui/src imports only its own modules and, for types, server/api-types.ts',
            },
            { group: ['**/server/api-types.ts'], allowTypeImports: true, message: 'ui/src imports server/api-types.ts with import type only' },
          ],
        },
      ],
    },
  },
);
