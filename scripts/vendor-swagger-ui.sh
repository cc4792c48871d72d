#!/usr/bin/env bash
# Refresh the vendored Swagger UI (npm package swagger-ui-dist) served by /docs, for offline networks.
# Usage: scripts/vendor-swagger-ui.sh [VERSION]   (default: the version recorded in VENDORED.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=static/vendor/swagger-ui
version="${1:-$(sed -n 's/^version: //p' "$dest/VENDORED.txt" 2>/dev/null || true)}"
version="${version:-latest}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# npm pack checks the tarball against the registry's integrity hash
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null)
tar -xzf "$work"/swagger-ui-dist-*.tgz -C "$work"
pkg="$work/package"
read -r name resolved licence < <(node -e \
  'const p=require(process.argv[1]);console.log(p.name,p.version,p.license)' "$pkg/package.json")
integrity="$(npm view "swagger-ui-dist@$resolved" dist.integrity)"
files=(swagger-ui-bundle.js swagger-ui-standalone-preset.js swagger-ui.css LICENSE NOTICE)
mkdir -p "$dest"
rm -f "$dest"/*
for f in "${files[@]}"; do
  [[ -f "$pkg/$f" ]] && cp "$pkg/$f" "$dest/$f"
done
# source maps are not shipped: drop the references so browsers do not ask for them
sed -i '/^\/\/# sourceMappingURL=/d; s#/\*\# sourceMappingURL=[^*]*\*/##' \
  "$dest/swagger-ui-bundle.js" "$dest/swagger-ui-standalone-preset.js" "$dest/swagger-ui.css"
{
  echo "package: $name"
  echo "version: $resolved"
  echo "licence: $licence (see LICENSE and NOTICE in this folder)"
  echo "source: https://registry.npmjs.org/$name/-/$name-$resolved.tgz"
  echo "integrity: $integrity"
  echo "refresh: scripts/vendor-swagger-ui.sh [VERSION]"
  echo "files (sha256):"
  (cd "$dest" && for f in "${files[@]}"; do [[ -f "$f" ]] && sha256sum "$f" | sed 's/^/  /'; done)
} > "$dest/VENDORED.txt"
echo "vendored $name $resolved into $dest"
