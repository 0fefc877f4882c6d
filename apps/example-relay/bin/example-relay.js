#!/usr/bin/env node
// The example relay: the compiled app (built by `tsc -b`, which `npm ci` runs in `prepare`).
import '../dist/main.js';
