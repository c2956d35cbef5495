// ESLint with type-aware rules and the complexity budgets from STYLE.md.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdk.out/", "build/", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/explicit-function-return-type": ["error", { allowExpressions: true, allowTypedFunctionExpressions: true, allowHigherOrderFunctions: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      complexity: ["error", 10],
      "max-depth": ["error", 3],
      "max-params": ["error", 4],
    },
  },
  {
    // Tests and tooling read like scripts; keep the async-safety rules, relax the budgets.
    files: ["**/*.test.ts", "test/**/*.ts", "sandbox/**/*.ts", "scripts/**/*.ts", "bench/**/*.ts"],
    rules: {
      complexity: ["error", 15],
      "@typescript-eslint/explicit-function-return-type": "off",
    },
  },
);
