// `npm run lint`: TypeScript rules on the plugin, its tests and scripts; formatting is prettier's (eslint-config-prettier
// turns off the rules that would fight it).
import js from "@eslint/js"
import prettier from "eslint-config-prettier"
import globals from "globals"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["node_modules/", ".medusa/", ".tmp/", "test-results/", "coverage/", "public/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  {
    // Tests may reach into loosely typed answers (HTTP bodies, jest mocks); the plugin itself may not.
    files: ["**/__tests__/**", "integration-tests/**"],
    languageOptions: { globals: { ...globals.jest } },
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The library floor (src/lib) serves every provider and knows none of them, nor the application above it: the
    // gateway list (src/env.ts), the reconciliation, the routes and jobs import it, never the reverse.
    files: ["src/lib/**/*.ts"],
    ignores: ["src/lib/**/__tests__/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "../env",
                "../registered-options",
                "../reconciliation",
                "../reconciliation/*",
                "../providers/*",
                "../api/*",
                "../jobs/*",
              ],
              message:
                "src/lib is the library floor: it must not import the application (gateways, reconciliation, routes, jobs).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["scripts/demo/storefront/**/*.js", "src/admin/**"],
    languageOptions: { globals: { ...globals.browser } },
  },
  prettier
)
