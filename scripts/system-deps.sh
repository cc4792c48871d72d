#!/usr/bin/env bash
# System packages the project uses: CJK + Latin fonts for PDF credit reports, poppler for PDF checks,
# Chromium for the H5 front's browser tests (tests/web/, driven by Playwright; never a browser download).
set -uo pipefail
need=()
cjk=(/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
     /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc)
have_cjk=0; for f in "${cjk[@]}"; do [[ -f $f ]] && have_cjk=1; done
((have_cjk)) || need+=(fonts-droid-fallback)
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || need+=(fonts-dejavu-core)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} …"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
      || echo "warning: could not install ${need[*]}"
  else
    echo "warning: please install ${need[*]} (needed for PDF credit reports and browser tests)"
  fi
fi
