#!/usr/bin/env node
// npm run check:packages — every publishable workspace package as a user gets it: `npm pack`s
// each non-private package (after `npx tsc -b`), checks what the tarball ships, installs all the
// tarballs together into a scratch ESM project under os.tmpdir() (third-party packages come from
// the npm registry), imports each package there, and runs the first ```ts/```js example of each
// README as written (TypeScript examples with their types stripped). The decoding libs are also
// installed alone with --ignore-scripts (no native addon built) and imported. Prints one line
// per package; exits 1 when anything fails. `--keep` leaves the scratch directory.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { encodeFrameLog } from '@jetstream-ts/frames';
import { loadCarboxFrame, loadIndigoScenario } from '@jetstream-ts/testkit';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** What a Node service imports to "just decode": no native addon may be needed to load these. */
const DECODERS = ['models', 'frames', 'car', 'mapping', 'filtering'];
/** An example that is still running after this long is a server: it gets SIGINT. */
const EXAMPLE_RUN_MS = 15_000;
/** How long a server example has to shut down cleanly after SIGINT. */
const EXAMPLE_STOP_MS = 10_000;

/** Runs a command; resolves with its exit code and output, never rejects. */
function run(command, args, { cwd, timeoutMs, stopMs = 0 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NODE_OPTIONS: '' } });
    let output = '';
    let stopped = false;
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timers = [];
    if (timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          stopped = true;
          child.kill(stopMs > 0 ? 'SIGINT' : 'SIGKILL');
          if (stopMs > 0) timers.push(setTimeout(() => child.kill('SIGKILL'), stopMs));
        }, timeoutMs),
      );
    }
    child.on('close', (code, signal) => {
      timers.forEach(clearTimeout);
      resolve({ code, signal, stopped, output });
    });
  });
}

function lastLines(text, count = 12) {
  return text.trimEnd().split('\n').slice(-count).map((line) => `      ${line}`).join('\n');
}

function workspacePackages() {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => posix.join(pattern.slice(0, -2), entry.name))
      : [pattern],
  );
  return dirs
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ dir, short: posix.basename(dir), name: manifest.name, manifest, problems: [], notes: [] }));
}

/** What a tarball must (not) hold: LICENSE, README, no build info, no source map pointing at unshipped files. */
function checkContents(pkg, files) {
  const paths = new Set(files.map((file) => file.path));
  for (const required of ['package.json', 'README.md', 'LICENSE']) {
    if (!paths.has(required)) pkg.problems.push(`tarball lacks ${required}`);
  }
  if (paths.has('LICENSE') && readFileSync(join(root, pkg.dir, 'LICENSE'), 'utf8') !== readFileSync(join(root, 'LICENSE'), 'utf8')) {
    pkg.problems.push('LICENSE differs from the repository LICENSE');
  }
  for (const path of paths) {
    if (path.endsWith('.tsbuildinfo')) pkg.problems.push(`tarball ships build info ${path}`);
    if (!path.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(join(root, pkg.dir, path), 'utf8'));
    const missing = map.sources.map((source) => posix.join(posix.dirname(path), source)).filter((source) => !paths.has(source));
    if (missing.length > 0) pkg.problems.push(`${path} points at unshipped ${missing[0]}`);
  }
  const entry = pkg.manifest.exports?.['.']?.default ?? pkg.manifest.main;
  if (!paths.has(posix.normalize(entry))) pkg.problems.push(`tarball lacks its entry ${entry} (run npx tsc -b first)`);
}

async function pack(packages, destination) {
  const args = ['pack', '--json', '--ignore-scripts', '--pack-destination', destination];
  const result = await run('npm', [...args, ...packages.flatMap((pkg) => ['-w', pkg.dir])], { cwd: root });
  if (result.code !== 0) throw new Error(`npm pack failed:\n${lastLines(result.output)}`);
  const packed = JSON.parse(result.output.slice(result.output.indexOf('[')));
  for (const pkg of packages) {
    const info = packed.find((entry) => entry.name === pkg.name);
    if (info === undefined) throw new Error(`npm pack gave no tarball for ${pkg.name}`);
    pkg.tarball = join(destination, info.filename);
    checkContents(pkg, info.files);
  }
}

/** A scratch ESM project with the given tarballs installed; returns its directory or throws. */
async function scratchProject(dir, tarballs, extraArgs = []) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }, null, 2));
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', ...extraArgs, ...tarballs];
  const result = await run('npm', args, { cwd: dir });
  if (result.code !== 0) throw new Error(`npm ${args.slice(0, -tarballs.length).join(' ')} failed:\n${lastLines(result.output)}`);
  return dir;
}

async function importIn(dir, name) {
  const result = await run('node', ['--input-type=module', '-e', `await import(${JSON.stringify(name)});`], { cwd: dir, timeoutMs: 30_000 });
  return result.code === 0 ? undefined : `import ${name} failed:\n${lastLines(result.output)}`;
}

/** The README's first ```ts or ```js block, as JavaScript, or undefined when it has none. */
function readmeExample(pkg) {
  const readme = readFileSync(join(root, pkg.dir, 'README.md'), 'utf8');
  const match = /^```(ts|js)\n([\s\S]*?)^```$/m.exec(readme);
  if (match === null) return undefined;
  const [, language, code] = match;
  if (language === 'js') return code;
  const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false };
  return ts.transpileModule(code, { compilerOptions: options }).outputText;
}

/** Runs an example: it must exit 0 by itself, or (a server) keep running and exit 0 on SIGINT. */
async function runExample(dir, pkg, code) {
  const file = `readme-${pkg.short}.mjs`;
  writeFileSync(join(dir, file), code);
  const result = await run('node', [file], { cwd: dir, timeoutMs: EXAMPLE_RUN_MS, stopMs: EXAMPLE_STOP_MS });
  if (result.code === 0) return { ok: true, how: result.stopped ? 'served, stopped cleanly on SIGINT' : 'ran' };
  const how = result.stopped ? `did not exit cleanly on SIGINT (${result.signal ?? `code ${result.code}`})` : `exited with ${result.signal ?? `code ${result.code}`}`;
  return { ok: false, how: `README example ${how}:\n${lastLines(result.output)}` };
}

/** Packages with an install script (native addons) in a scratch install: required ones, optional ones. */
function nativePackages(dir) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const entries = Object.entries(lock.packages).filter(([path]) => path !== '');
  return {
    required: entries.filter(([, entry]) => entry.hasInstallScript && !entry.optional).map(([path]) => path.replace(/^.*node_modules\//, '')),
    optional: entries.filter(([, entry]) => entry.hasInstallScript && entry.optional).map(([path]) => path.replace(/^.*node_modules\//, '')),
  };
}

/** The frame log README examples read as `capture.log`: the real relay frames of the testkit fixtures. */
function writeCaptureLog(dir) {
  const frames = [loadCarboxFrame(), ...loadIndigoScenario('post_lifecycle').map((frame) => frame.bytes)];
  writeFileSync(join(dir, 'capture.log'), encodeFrameLog(frames));
}

/** Every package installed from its tarball with the others: imports, and its README example runs. */
async function checkInstalledTogether(packages, dir) {
  console.log('installing every tarball into a scratch project…');
  await scratchProject(dir, packages.map((pkg) => pkg.tarball));
  writeCaptureLog(dir);
  for (const pkg of packages) {
    console.log(`  ${pkg.name}: import, README example`);
    const problem = await importIn(dir, pkg.name);
    if (problem !== undefined) {
      pkg.problems.push(problem);
      continue;
    }
    const example = readmeExample(pkg);
    if (example === undefined) {
      pkg.notes.push('README has no ts/js example');
      continue;
    }
    const outcome = await runExample(dir, pkg, example);
    if (outcome.ok) pkg.notes.push(`README example ${outcome.how}`);
    else pkg.problems.push(outcome.how);
  }
}

/** The decoding libs alone, installed with --ignore-scripts: nothing native to build, and they import. */
async function checkDecodersAlone(packages, dir) {
  console.log(`installing ${DECODERS.join(', ')} alone with --ignore-scripts…`);
  const decoders = packages.filter((pkg) => DECODERS.includes(pkg.short));
  await scratchProject(dir, decoders.map((pkg) => pkg.tarball), ['--ignore-scripts']);
  const native = nativePackages(dir);
  if (native.required.length > 0) throw new Error(`the decoding libs need native addons built: ${native.required.join(', ')}`);
  if (native.optional.length > 0) console.log(`  optional native packages there, not built: ${native.optional.join(', ')}`);
  for (const pkg of decoders) {
    const problem = await importIn(dir, pkg.name);
    if (problem === undefined) pkg.notes.push('imports with --ignore-scripts');
    else pkg.problems.push(`with --ignore-scripts: ${problem}`);
  }
}

async function main() {
  const keep = process.argv.includes('--keep');
  const work = mkdtempSync(join(tmpdir(), 'jetstream-check-packages-'));
  const packages = workspacePackages();
  const failures = [];
  try {
    console.log(`packing ${packages.length} packages into ${work}`);
    mkdirSync(join(work, 'tarballs'));
    await pack(packages, join(work, 'tarballs'));
    await checkInstalledTogether(packages, join(work, 'all')).catch((error) => failures.push(error.message));
    await checkDecodersAlone(packages, join(work, 'decoders')).catch((error) => failures.push(error.message));
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  } finally {
    if (keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }

  console.log('');
  for (const pkg of packages) {
    const status = pkg.problems.length === 0 ? 'ok  ' : 'FAIL';
    console.log(`${status} ${pkg.name.padEnd(30)} ${pkg.notes.join('; ')}`);
    for (const problem of pkg.problems) console.log(`     ${problem}`);
  }
  for (const failure of failures) console.log(`FAIL ${failure}`);
  const failed = failures.length + packages.filter((pkg) => pkg.problems.length > 0).length;
  console.log(failed === 0 ? `\nall ${packages.length} packages pack, install and import; every README example runs` : `\n${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
