#!/usr/bin/env bash
# Creates the package skeleton of a workspace project (lib, app or tool) in the shape every
# project here shares: package.json with exports, tsconfig trio, jest and eslint configs.
# usage: tools/scripts/scaffold-project.sh <libs|apps|tools> <name> <type:models|type:lib|type:app|type:tool> "<description>"
set -euo pipefail
kind=$1 name=$2 tag=$3 description=$4
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="$root/$kind/$name"
mkdir -p "$dir/src/lib"
cat > "$dir/package.json" <<JSON
{
  "name": "@jetstream-ts/$name",
  "version": "0.1.0",
  "description": "$description",
  "type": "module",
  "license": "MIT",
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": {
      "@jetstream-ts/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    },
    "./package.json": "./package.json"
  },
  "files": ["dist", "README.md"],
  "nx": { "name": "$name", "tags": ["$tag"] }
}
JSON
cat > "$dir/tsconfig.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "files": [],
  "include": [],
  "references": [{ "path": "./tsconfig.lib.json" }, { "path": "./tsconfig.spec.json" }]
}
JSON
cat > "$dir/tsconfig.lib.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist",
    "tsBuildInfoFile": "dist/tsconfig.lib.tsbuildinfo"
  },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts", "src/**/*.test-util.ts"],
  "references": []
}
JSON
cat > "$dir/tsconfig.spec.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "outDir": "./out-tsc/spec",
    "tsBuildInfoFile": "./out-tsc/spec/tsconfig.spec.tsbuildinfo",
    "emitDeclarationOnly": true,
    "types": ["jest", "node"]
  },
  "include": ["src/**/*.spec.ts", "src/**/*.test-util.ts"],
  "references": [{ "path": "./tsconfig.lib.json" }]
}
JSON
cat > "$dir/jest.config.js" <<'JS'
import preset from '../../jest.preset.js';

export default { ...preset, displayName: '__NAME__', rootDir: import.meta.dirname };
JS
sed -i "s/__NAME__/$name/" "$dir/jest.config.js"
cat > "$dir/eslint.config.mjs" <<'JS'
import baseConfig from '../../eslint.config.mjs';

export default [...baseConfig];
JS
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
echo "scaffolded $kind/$name"
