#!/usr/bin/env bash
# Installs what the tests need and is missing; does nothing when everything is there.
#
#   Debian packages: postgresql-15 (Go tests on PostgreSQL), chromium (browser tests),
#                    libreoffice-writer-nogui, libreoffice-calc-nogui, poppler-utils (export tests)
#   npm packages:    e2e/node_modules from e2e/package-lock.json
#
# As root it installs them (apt-get update once, only when something is missing). Otherwise it
# prints what to install and carries on: the Go tests then run on SQLite only.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'deps: %s\n' "$*" >&2; }

pkgs=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || pkgs+=(postgresql-15)
[ -x /usr/bin/chromium ] || pkgs+=(chromium)
command -v libreoffice >/dev/null 2>&1 || pkgs+=(libreoffice-writer-nogui libreoffice-calc-nogui)
command -v pdftoppm >/dev/null 2>&1 || pkgs+=(poppler-utils)

if [ "${#pkgs[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_opts=(-q -o DPkg::Lock::Timeout=300)
    if apt-get "${apt_opts[@]}" update &&
      apt-get "${apt_opts[@]}" install -y --no-install-recommends "${pkgs[@]}"; then
      say "installed ${pkgs[*]}"
    else
      say "ERROR: apt-get install ${pkgs[*]} failed"
      [ -z "${CI:-}" ] || exit 1
    fi
  else
    printf '\n*** deps: missing Debian packages: %s\n' "${pkgs[*]}" >&2
    printf '*** Install them with:\n***   sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n' "${pkgs[*]}" >&2
    printf '*** Without postgresql-15 the Go tests run on SQLite only; without chromium the browser tests fail.\n\n' >&2
  fi
fi

# Browser test tooling. Playwright must not download a browser of its own: Debian's Chromium is used.
if ! command -v npm >/dev/null 2>&1; then
  printf '\n*** deps: npm not found: install Node.js 20 and npm to run the browser tests (e2e/).\n\n' >&2
elif [ ! -f e2e/package.json ]; then
  : # no browser tests in this tree
elif [ ! -d e2e/node_modules ] ||
  { [ -f e2e/package-lock.json ] && [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; }; then
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [ -f e2e/package-lock.json ]; then
    say "npm ci in e2e/"
    (cd e2e && npm ci --no-audit --no-fund)
  else
    say "npm install in e2e/ (no package-lock.json)"
    (cd e2e && npm install --no-audit --no-fund)
  fi
fi
