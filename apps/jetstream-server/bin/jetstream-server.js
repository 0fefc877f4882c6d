#!/usr/bin/env node
// The reference server: the compiled app (built by `tsc -b`, which `npm ci` runs in `prepare`).
import '../dist/main.js';
