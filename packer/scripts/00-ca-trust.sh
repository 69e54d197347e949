#!/usr/bin/env bash
# Trust the corporate CA bundle before any internal mirror is contacted over HTTPS.
# The file provisioner uploaded it to /tmp/corporate-ca-bundle.pem (empty when none was given).
set -euo pipefail

bundle=/tmp/corporate-ca-bundle.pem
anchor=/etc/pki/ca-trust/source/anchors/corporate-ca-bundle.pem

if [[ ! -s "$bundle" ]]; then
  echo "ca-trust: no corporate CA bundle given; using the system trust store only"
  rm -f "$bundle"
  exit 0
fi

if ! grep -q -- '-----BEGIN CERTIFICATE-----' "$bundle"; then
  echo "ca-trust: $bundle is not a PEM certificate bundle (no BEGIN CERTIFICATE line)" >&2
  exit 1
fi

install -D -m 0644 -o root -g root "$bundle" "$anchor"
rm -f "$bundle"
update-ca-trust extract
count=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$anchor")
echo "ca-trust: trusted ${count} corporate CA certificate(s) from $anchor"
