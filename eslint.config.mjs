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
    files: ["**/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["scripts/demo/storefront/**/*.js", "src/admin/**"],
    languageOptions: { globals: { ...globals.browser } },
  },
  prettier
)
