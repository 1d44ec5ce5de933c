// Compile themes/govuk/src/govuk.scss into themes/govuk/assets/govuk.css (`make css`).
// `--check` compiles in memory and fails when the committed file differs (the test suite runs it),
// so the committed CSS always matches its source and the pinned govuk-frontend and sass.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const source = join(here, "govuk.scss");
const target = join(here, "..", "assets", "govuk.css");

const result = sass.compile(source, {
  style: "compressed",
  loadPaths: [join(root, "node_modules")],
  quietDeps: true,
  sourceMap: false,
  charset: false,
});
const css = result.css + "\n";

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(target, "utf8");
  } catch {
    // missing: reported below
  }
  if (committed !== css) {
    console.error(`${relative(root, target)} is out of date with ${relative(root, source)}: run \`make css\` and commit it`);
    process.exit(1);
  }
  console.log(`${relative(root, target)} is up to date (${css.length} bytes)`);
} else {
  writeFileSync(target, css);
  console.log(`wrote ${relative(root, target)} (${css.length} bytes)`);
}
