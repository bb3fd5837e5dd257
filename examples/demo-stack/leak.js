'use strict';

/**
 * LEAK=1: every request leaves a `RequestAuditEntry` (a few KB) in a module-level array that is
 * never trimmed, for trying the heap and leak profilers. It looks like an audit trail someone
 * meant to flush to storage and never did.
 */

const SAMPLE_COUNT = 512;
const auditTrail = [];

class RequestAuditEntry {
  constructor(req, sequence) {
    this.sequence = sequence;
    this.method = req.method;
    this.url = req.url;
    this.receivedAt = new Date().toISOString();
    this.headers = { ...req.headers };
    this.remoteAddress = req.socket.remoteAddress;
    // Per-request timing samples: 512 doubles in a plain array, about 4 KB of JS heap per entry
    // (a typed array would keep its bytes outside the JS heap, where heap sampling misses them).
    this.timingSamples = Array.from({ length: SAMPLE_COUNT }, (_, i) => sequence + i / SAMPLE_COUNT);
  }
}

function auditRequest(req) {
  auditTrail.push(new RequestAuditEntry(req, auditTrail.length));
}

function auditTrailLength() {
  return auditTrail.length;
}

module.exports = { RequestAuditEntry, auditRequest, auditTrailLength };
