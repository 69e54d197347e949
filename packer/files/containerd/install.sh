#!/usr/bin/env bash
# Installs the containerd configuration generated from lib/cluster (etc/ beside this script, written
# by `npm run generate:node-image`) under <root>, filling in the registry mirror. The cloud-config
# writes the same files at first boot, rendered by the same code, so image and nodes agree.
#   REGISTRY_MIRROR_HOST=host[:port] [REGISTRY_MIRROR_PATH_PREFIX=a/b] install.sh <root>
# Run by 30-containerd.sh with <root> = /, and by the behaviour tests with a temporary directory.
set -euo pipefail

: "${REGISTRY_MIRROR_HOST:?host[:port] of the registry mirror}"
prefix=${REGISTRY_MIRROR_PATH_PREFIX:-}
root=${1:?usage: install.sh <root directory>}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The prefix placeholder is always rendered followed by "/": both go, or become "<prefix>/".
cd "$here"
find etc -type f -print0 | while IFS= read -r -d '' file; do
  install -d -m 0755 "$root/$(dirname "$file")"
  sed -e "s#@REGISTRY_MIRROR_HOST@#${REGISTRY_MIRROR_HOST}#g" \
    -e "s#@REGISTRY_MIRROR_PATH_PREFIX@/#${prefix:+${prefix}/}#g" "$file" > "$root/$file"
  chmod 0644 "$root/$file"
  if grep -q '@REGISTRY_MIRROR_' "$root/$file"; then
    echo "install.sh: unfilled placeholder in $root/$file" >&2
    exit 1
  fi
done
echo "install.sh: containerd configuration installed under $root/etc/containerd (mirror ${REGISTRY_MIRROR_HOST}${prefix:+/$prefix})"
