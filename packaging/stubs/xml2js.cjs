// Stands in for xml2js in the bundle. dbus-next loads xml2js (with xmlbuilder and sax, ~220 KB) at
// start for two things edge-agent never does: introspecting remote objects (getProxyObject; we
// send plain method calls) and describing objects we export (we export none). Leaving it out
// saves a fifth of `edge-agent status`'s cold start. A peer that introspects our connection gets
// an empty node, which is the truth: there is nothing of ours on it.
'use strict';

class Builder {
  buildObject() {
    return '<node/>';
  }
}

class Parser {
  parseString(_xml, callback) {
    callback(new Error('D-Bus introspection is not part of the edge-agent bundle'));
  }
}

module.exports = { Builder, Parser };
