#!/usr/bin/env bash
# Installs, with apt, what the test suite needs beyond Python when it is missing:
# a PostgreSQL server (the suite starts a throwaway cluster itself), Chromium for the
# browser checks and a Java runtime for the HTML5 validator.
set -euo pipefail

need=()
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
command -v java >/dev/null || need+=(default-jre-headless)
command -v runuser >/dev/null || need+=(util-linux)

if ((${#need[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "error: the tests need ${need[*]}; install them with apt (as root)" >&2
    exit 1
  fi
else
  SUDO=
fi
echo "installing ${need[*]} with apt" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The Debian package starts a cluster of its own; the tests start their own instead.
if [[ " ${need[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null; then
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi
