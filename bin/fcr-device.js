#!/usr/bin/env node
// Entry of `fcr` on the device: the compiled service (`npm run build` → dist/fcr.js, one esbuild
// bundle), plain Node, no TypeScript loader. A separate file from bin/fcr.js on purpose: in a
// checkout, bin/fcr.js always runs the sources, so a stale dist/ can never shadow an edit; on the
// device only dist/ exists. The systemd unit runs dist/fcr.js itself.
'use strict';
require('../dist/fcr.js');
