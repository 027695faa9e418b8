// Stands in for ws (WebSockets) in the bundle. mqtt loads it for a transport edge-agent never
// uses: ws:// and wss:// brokers (the hub must be mqtts://, or mqtt:// when allowed; hub-config.ts
// refuses every other scheme). Loading it brings Node's http, https and zlib with it: a daemon
// that sleeps most of the time would carry them in memory for nothing.
'use strict';

class WebSocket {
  constructor() {
    throw new Error('WebSockets are not part of the edge-agent bundle');
  }
}

WebSocket.WebSocket = WebSocket;
WebSocket.createWebSocketStream = () => {
  throw new Error('WebSockets are not part of the edge-agent bundle');
};

module.exports = WebSocket;
