#!/usr/bin/env -S node --import tsx
// Entry of the `fcr` technician/rig command. TypeScript sources run through tsx's loader (for
// both require() and import()), so the device image needs no separate build step.
'use strict';
require('../src/cli/main.ts');
