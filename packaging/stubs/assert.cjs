// Stands in for Node's assert in the bundle. dbus-next's marshaller is its only user, for two
// internal sanity checks (assert(ok) and assert.strictEqual); the real module brings assert's
// diffing and error classes with it, ~0.4 MB of the daemon's RSS for checks that never fail.
// A failed check still throws, with the same message.
'use strict';

function fail(message, fallback) {
  const error = new Error(message === undefined ? fallback : String(message));
  error.code = 'ERR_ASSERTION';
  throw error;
}

function assert(value, message) {
  if (!value) fail(message, 'The expression evaluated to a falsy value');
}

assert.ok = assert;
assert.strictEqual = (actual, expected, message) => {
  if (!Object.is(actual, expected)) fail(message, `Expected ${String(actual)} to be ${String(expected)}`);
};

module.exports = assert;
