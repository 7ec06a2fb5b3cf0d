#!/usr/bin/env -S node --import tsx
// Entry of the `fcr` technician/rig command in a checkout: the TypeScript sources run through
// tsx's loader (for both require() and import()). The device runs the compiled service instead
// (`npm run build` → dist/, entry bin/fcr-device.js, no loader).
'use strict';
require('../src/cli/main.ts');
