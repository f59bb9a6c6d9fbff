#!/usr/bin/env node
// Command-line `solc` over solc-js (WebAssembly), for machines with no native compiler.
//
// Speaks the subset of the native CLI that py-solc-x and ape-solidity use:
//   solc --version
//   solc --standard-json [--base-path DIR] [--include-path DIR]... [--allow-paths A,B] < input.json
// Imports missing from the input's `sources` are read from disk, resolved against the base path,
// the include paths and the working directory, never outside them.
"use strict";

const fs = require("fs");
const path = require("path");
const solc = require("solc");

const USAGE = "usage: solc --version | solc --standard-json [--base-path DIR] [--include-path DIR]... < input.json";

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: null, includePaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, null];
    const value = () => (inline !== null ? inline : argv[++i]);
    switch (flag) {
      case "--version": opts.version = true; break;
      case "--standard-json": opts.standardJson = true; break;
      case "--base-path": opts.basePath = value(); break;
      case "--include-path": opts.includePaths.push(value()); break;
      case "--allow-paths": value(); break; // reads are confined to base/include paths anyway
      case "-": break; // "read from stdin", implied by --standard-json
      default: throw new Error(`unsupported option '${arg}' (this adapter wraps solc-js; ${USAGE})`);
    }
  }
  return opts;
}

function importReader(roots) {
  return (importPath) => {
    for (const root of roots) {
      const full = path.resolve(root, importPath);
      const inside = full === root || full.startsWith(root + path.sep);
      if (inside && fs.existsSync(full) && fs.statSync(full).isFile()) {
        return { contents: fs.readFileSync(full, "utf8") };
      }
    }
    return { error: `File not found: '${importPath}' (searched ${roots.join(", ")})` };
  };
}

// Writing everything before exiting: process.exit() right after a large write to a pipe
// would cut the output at 64 KiB, so the exit code is set and node ends on its own.
function emit(text, code) {
  process.exitCode = code;
  process.stdout.write(text);
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`Error: ${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  if (opts.version) {
    emit(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`, 0);
    return;
  }
  if (!opts.standardJson) {
    process.stderr.write(`Error: ${USAGE}\n`);
    process.exitCode = 1;
    return;
  }
  const input = fs.readFileSync(0, "utf8");
  const roots = [opts.basePath, ...opts.includePaths, process.cwd()]
    .filter((p) => p)
    .map((p) => path.resolve(p));
  const output = solc.compile(input, { import: importReader(roots) });
  emit(output, 0);
}

main();
