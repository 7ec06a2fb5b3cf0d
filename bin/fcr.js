#!/usr/bin/env -S node --import tsx
// Entry of `fcr` in a checkout: the device's commands plus the rig's (rig/cli/main.ts), the
// TypeScript sources run through tsx's loader (for both require() and import()). The device runs the compiled service instead
// (`npm run build` → dist/, entry bin/fcr-device.js, no loader).
'use strict';
require('../rig/cli/main.ts');
