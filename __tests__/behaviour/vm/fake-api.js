#!/usr/bin/env node
// QEMU guestfwd runs this once per guest connection to VIP:6443, wired to stdin/stdout: it answers
// as the cluster's API server would to the bootstrap's readiness probe (TLS with a certificate for the
// VIP signed by the throwaway cluster CA; GET /readyz -> 200 "ok"), and logs each request.
// Usage: fake-api.js <cert.pem> <key.pem> <log>
"use strict";
const { readFileSync, appendFileSync } = require("node:fs");
const { Duplex } = require("node:stream");
const tls = require("node:tls");
const [cert, key, log] = process.argv.slice(2);
const raw = Duplex.from({ readable: process.stdin, writable: process.stdout });
const socket = new tls.TLSSocket(raw, { isServer: true, secureContext: tls.createSecureContext({ cert: readFileSync(cert), key: readFileSync(key) }) });
let head = "";
socket.on("data", (d) => {
  head += d.toString("latin1");
  if (!head.includes("\r\n\r\n")) return;
  const line = head.split("\r\n")[0];
  appendFileSync(log, `${new Date().toISOString()} ${line}\n`);
  const ok = /^GET \/readyz[ ?]/.test(line);
  const body = ok ? "ok" : "not found";
  socket.end(`HTTP/1.1 ${ok ? "200 OK" : "404 Not Found"}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
});
socket.on("error", (e) => { appendFileSync(log, `${new Date().toISOString()} tls error: ${e.message}\n`); process.exit(0); });
socket.on("close", () => process.exit(0));
