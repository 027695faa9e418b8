// Stands in for the debug package in the bundle. mqtt and mqtt-packet log their protocol steps
// through it, enabled only by a DEBUG=mqttjs* environment variable; the daemon never sets one, and
// its own log says what the hub connection does. The real package loads Node's tty module (colours
// for a terminal) and reads the environment at start: ~0.6 MB of the daemon's RSS for output that
// is off. Every logger here is disabled and does nothing.
'use strict';

function createDebug(namespace) {
  const log = () => {};
  log.namespace = String(namespace ?? '');
  log.enabled = false;
  log.extend = (suffix, delimiter = ':') => createDebug(`${log.namespace}${delimiter}${suffix}`);
  log.log = log;
  log.destroy = () => false;
  return log;
}

createDebug.enable = () => {};
createDebug.disable = () => '';
createDebug.enabled = () => false;
createDebug.debug = createDebug;
createDebug.default = createDebug;
module.exports = createDebug;
