#!/usr/bin/env node
// Stable entry point for the `fsjournal` bin: the compiled CLI lives in dist/,
// which `npm ci` builds (root `prepare`) after linking this file.
import '../dist/bin.js';
