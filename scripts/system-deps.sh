#!/usr/bin/env bash
# System packages the project uses: a CJK font for PDF credit reports, poppler for PDF text checks.
set -uo pipefail
need=()
[[ -n $(fc-list 2>/dev/null | grep -i -E 'wqy|noto.*cjk' | head -n1) || -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]] || need+=(fonts-wqy-zenhei)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} …"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
      || echo "warning: could not install ${need[*]}"
  else
    echo "warning: please install ${need[*]} (needed for PDF credit reports)"
  fi
fi
