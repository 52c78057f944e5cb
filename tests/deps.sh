#!/bin/sh
# Install the Debian packages named on the command line that are missing.
# As root this runs apt-get; otherwise it prints the command to run.
# With --npm (make deps, for make check), also the Node.js packages of
# tests/package.json.
npm=false
if [ "${1:-}" = --npm ]; then npm=true; shift; fi
missing=""
for p in "$@"; do
	# A Node.js from elsewhere (NodeSource bundles npm) conflicts with
	# Debian's npm package: any working node and npm will do.
	case $p in
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "deps: installing$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null ||
			{ echo "deps: apt-get install failed" >&2; exit 1; }
	else
		echo "deps: missing Debian packages:$missing" >&2
		echo "deps: run: sudo apt-get install$missing" >&2
		exit 1
	fi
fi
# The independent iCalendar parser for the feed tests (Thunderbird's ical.js),
# and playwright-core, which drives Debian's chromium in the link-page test
# (no browser download: `npx playwright install` is never needed).  The tree
# is exactly tests/package-lock.json's (npm ci), pinned to versions that run
# on Debian 12's Node.js 18; a tree from another lock file is replaced.
if $npm && [ -f tests/package-lock.json ] &&
    ! cmp -s tests/package-lock.json tests/node_modules/.plc-lock 2>/dev/null; then
	(cd tests && npm ci --no-audit --no-fund --silent >/dev/null &&
	    cp package-lock.json node_modules/.plc-lock) ||
		{ echo "deps: npm ci in tests/ failed" >&2; exit 1; }
fi
exit 0
