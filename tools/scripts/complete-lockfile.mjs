#!/usr/bin/env node
// The npm registry reachable here serves only this platform's builds of native packages
// (@swc/core-darwin-arm64 and the like answer 404), so `npm install` leaves them out of
// package-lock.json, and `npm ci` then refuses the lock ("Missing: ... from lock file").
// This adds a placeholder entry for each missing optional platform package: `npm ci` accepts
// the lock, and skips the placeholders as failed optional dependencies on every platform.
// Run after any `npm install`: node tools/scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
let added = 0;

function resolves(fromPath, name) {
  // Node resolution: nested node_modules first, then each ancestor, then the root.
  let base = fromPath;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return true;
    if (!base) return false;
    const index = base.lastIndexOf('node_modules/');
    base = index <= 0 ? '' : base.slice(0, index - 1);
  }
}

for (const [entryPath, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    if (resolves(entryPath, name)) continue;
    packages[`node_modules/${name}`] = { version: range.replace(/^[\^~=]/, ''), optional: true };
    added++;
  }
}

if (added > 0) writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: ${added} placeholder entries added`);
