// Stands in for ws (WebSockets) in the bundle. Two dependencies load it for transports edge-agent
// never uses: mqtt for ws:// and wss:// brokers (the hub must be mqtts://, or mqtt:// when
// allowed; hub-config.ts refuses every other scheme) and the Kubernetes client for exec, attach
// and port-forward (we only read objects). Loading it brings Node's http, https and zlib with it:
// a daemon that sleeps most of the time would carry them in memory for nothing.
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
