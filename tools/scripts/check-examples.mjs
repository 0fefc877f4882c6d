#!/usr/bin/env node
// Checks every JSDoc `@example` of the public API of libs/* (the files a lib's src/index.ts
// exports from, through its `export … from` lines): each
// block has its imports, each `@jetstream-ts/<lib>` import names a real lib, and each imported
// name is exported by that lib's public index (src/index.ts, through its `export … from` lines).
// Prints one line per problem; exit code 1 when there is any.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const libs = readdirSync(join(root, 'libs')).filter((name) => existsSync(join(root, 'libs', name, 'src/index.ts')));
const exportCache = new Map();
/** Every file a lib's public index reaches through `export … from`. */
const publicFiles = new Set();

/** The names a module exports, following `export * from` and `export { … } from` to relative files. */
function exportsOf(file, seen = new Set()) {
  if (seen.has(file)) return new Set();
  seen.add(file);
  publicFiles.add(file);
  const names = new Set();
  const text = readFileSync(file, 'utf8');
  const local = (spec) => join(dirname(file), spec.replace(/\.js$/, '.ts'));
  for (const [, spec] of text.matchAll(/export\s+(?:\*|(?:type\s+)?\{[^}]*\})\s+from\s+'(\.[^']+)'/g)) for (const name of exportsOf(local(spec), seen)) names.add(name);
  for (const [, list] of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g))
    for (const item of list.split(',')) {
      const name = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop();
      if (name) names.add(name);
    }
  for (const [, name] of text.matchAll(/export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|class|const|let|interface|type|enum|abstract\s+class)\s+([A-Za-z_$][\w$]*)/g)) names.add(name);
  return names;
}

function libExports(lib) {
  if (!exportCache.has(lib)) exportCache.set(lib, exportsOf(join(root, 'libs', lib, 'src/index.ts')));
  return exportCache.get(lib);
}


/** The `@example` blocks of a file's JSDoc comments, with the line each starts on. */
function examples(text) {
  const blocks = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = comment[0].split('\n').map((line) => line.replace(/^\s*\/?\*+\/?\s?/, ''));
    const startLine = text.slice(0, comment.index).split('\n').length;
    lines.forEach((line, i) => {
      if (!line.startsWith('@example')) return;
      const body = [];
      for (let j = i + 1; j < lines.length && !lines[j].startsWith('@'); j++) body.push(lines[j]);
      blocks.push({ line: startLine + i, code: [line.slice('@example'.length), ...body].join('\n') });
    });
  }
  return blocks;
}

const problems = [];
for (const lib of libs) libExports(lib);
for (const file of [...publicFiles].sort()) {
  for (const { line, code } of examples(readFileSync(file, 'utf8'))) {
    const where = `${file.slice(root.length + 1)}:${line}`;
    const imports = [...code.matchAll(/import\s+(?:type\s+)?(?:\{([^}]*)\}|([\w$]+)|\*\s+as\s+[\w$]+)\s+from\s+'([^']+)'/g)];
    if (imports.length === 0) problems.push(`${where}: @example has no import`);
    for (const [, list = '', , from] of imports) {
      if (from.startsWith('.')) problems.push(`${where}: relative import '${from}' (use the public package name)`);
      const match = /^@jetstream-ts\/([^/]+)$/.exec(from);
      if (!from.startsWith('@jetstream-ts/')) continue;
      if (!match || !libs.includes(match[1])) {
        problems.push(`${where}: '${from}' is not a lib`);
        continue;
      }
      for (const item of list.split(',')) {
        const name = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0];
        if (name && !libExports(match[1]).has(name)) problems.push(`${where}: '${from}' does not export ${name}`);
      }
    }
  }
}
for (const problem of problems) console.log(problem);
console.log(`${problems.length} problem(s) in the @example blocks of libs/*/src`);
process.exitCode = problems.length > 0 ? 1 : 0;
