#!/usr/bin/env bash
# Refresh the H5 front's vendored browser bundles (static/vendor/) from their npm packages.
# Usage: scripts/vendor-static.sh [VUE_VERSION] [VANT_VERSION]   (needs npm; no build step runs)
set -euo pipefail
cd "$(dirname "$0")/.."
vue=${1:-3.5.45}
vant=${2:-4.10.2}
out=static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "vue@$vue" "vant@$vant" >/dev/null)
for pkg in "vue-$vue" "vant-$vant"; do mkdir -p "$work/$pkg" && tar -xzf "$work/$pkg.tgz" -C "$work/$pkg"; done
mkdir -p "$out"
cp "$work/vue-$vue/package/dist/vue.global.prod.js" "$out/vue.global.prod.js"
cp "$work/vue-$vue/package/LICENSE" "$out/LICENSE.vue.txt"
cp "$work/vant-$vant/package/lib/vant.min.js" "$out/vant.min.js"
cp "$work/vant-$vant/package/lib/index.css" "$out/vant.css"
cp "$work/vant-$vant/package/LICENSE" "$out/LICENSE.vant.txt"
{
  echo "# Vendored browser bundles of the H5 front"
  echo
  echo "Refreshed by \`scripts/vendor-static.sh\`; do not edit these files by hand."
  echo
  echo "| file | npm package | version | licence | sha256 |"
  echo "| --- | --- | --- | --- | --- |"
  for f in vue.global.prod.js:vue:$vue vant.min.js:vant:$vant vant.css:vant:$vant; do
    IFS=: read -r name pkg ver <<<"$f"
    echo "| \`$name\` | \`$pkg\` | $ver | MIT (\`LICENSE.$pkg.txt\`) | \`$(sha256sum "$out/$name" | cut -c1-16)…\` |"
  done
} >"$out/VERSIONS.md"
echo "vendored vue $vue and vant $vant into $out"
