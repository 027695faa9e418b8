// Stands in for mqtt's SOCKS proxy support (mqtt/build/lib/connect/socks.js) in the bundle. mqtt
// uses it only when a connection is given a socksProxy, which edge-agent never sets; the module
// itself loads the socks package (with ip-address and smart-buffer), dns and assert at start.
'use strict';

module.exports = {
  default() {
    throw new Error('SOCKS proxies are not part of the edge-agent bundle');
  },
};
