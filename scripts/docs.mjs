#!/usr/bin/env node
// `pnpm docs`: the API reference of every published package (TypeDoc + typedoc-plugin-markdown)
// into docs/api/. Warnings are errors (typedoc.json): an export without TSDoc, a type the docs
// reference but no entry exports, a broken {@link}. A package's entry points are its exports
// map's (a package with more than `.` lists them in its own typedoc.json; scripts/packages.mjs
// checks that they match).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { publishedPackages } from './packages.mjs';
import { repoRoot } from './summary.mjs';

const typedoc = path.join(repoRoot, 'node_modules', '.bin', 'typedoc');
const entryPoints = publishedPackages(repoRoot).flatMap((folder) => ['--entryPoints', folder]);
const result = spawnSync(typedoc, [...entryPoints, ...process.argv.slice(2)], { cwd: repoRoot, stdio: 'inherit' });
if (result.error !== undefined) throw result.error;
process.exitCode = result.status ?? 1;
