// Stands in for the readable-stream package in the bundle. mqtt (its client, store and duplex
// wrapper) and bl (mqtt-packet's buffer list) take Readable, Writable, Duplex and Transform from
// it. readable-stream is Node.js's own stream code republished for browsers and older Node
// releases, and its entry point already hands out the built-in module instead when
// READABLE_STREAM=disable is set. On Node.js 22 and 24 the built-in is the same code, newer and
// already loaded; the copy cost the daemon 137 KB of source held in memory (with its polyfills
// for primordials, AbortController and string_decoder) plus the objects it builds at load.
'use strict';
module.exports = require('node:stream');
