// Stands in for worker-timers in the bundle. mqtt uses it only in a browser (timers in a Web
// Worker keep running in a background tab); under Node it takes the native timers. The package
// and its dependencies (@babel/runtime helpers, a message broker) would otherwise load at start.
'use strict';

const unavailable = () => {
  throw new Error('worker-timers is not part of the edge-agent bundle');
};

module.exports = {
  setInterval: unavailable,
  clearInterval: unavailable,
  setTimeout: unavailable,
  clearTimeout: unavailable,
};
