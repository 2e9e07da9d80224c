#!/usr/bin/env node
// Answers the two calls py-solc-x makes of a native solc (`--version` and `--standard-json`) with solcjs,
// because no native solc can be installed on a machine whose only network is the package registries.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require(path.join(__dirname, "..", "node_modules", "solc"));

const args = process.argv.slice(2);

function optionValue(name) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : null;
}

if (args.includes("--version")) {
  process.stdout.write("solc, the solidity compiler commandline interface\nVersion: " + solc.version() + "\n");
} else if (args.includes("--standard-json")) {
  const basePath = optionValue("--base-path") || process.cwd();
  const roots = [basePath].concat((optionValue("--allow-paths") || "").split(",").filter(Boolean));
  const findImports = (requested) => {
    for (const root of roots) {
      const candidate = path.isAbsolute(requested) ? requested : path.join(root, requested);
      if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
    }
    return { error: "File not found under " + roots.join(", ") + ": " + requested };
  };
  const input = fs.readFileSync(0, "utf8");
  // Let the process end by itself: an explicit exit truncates large outputs past the pipe buffer.
  process.stdout.write(solc.compile(input, { import: findImports }));
} else {
  process.stderr.write("usage: solc-v<version> --version | --standard-json [--base-path DIR]\n");
  process.exitCode = 2;
}
