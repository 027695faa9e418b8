// Stands in for usocket in the bundle. dbus-next tries this native socket module first (for
// passing file descriptors, which edge-agent never does) and falls back to Node's own net socket
// when it cannot be loaded. On a device it is never installed; leaving it out here makes every
// build behave the same, and keeps a checkout's node_modules from being searched at run time.
'use strict';

throw new Error('usocket is not part of the edge-agent bundle');
