#!/usr/bin/env bash
# Runs Windows programs under wine (Debian 12's wine 8.0, 64-bit), in a wine
# prefix of ILL Desk's own; usable as `go test -exec`, so the tests run as
# windows/amd64 programs:
#
#   CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go test -tags ci \
#     -overlay "$(scripts/wine.sh --overlay)" -exec "$PWD/scripts/wine.sh" ./...
#   scripts/wine.sh dist/illdesk-cli.exe --version
#   scripts/wine.sh --setup     # make the prefix now (once a machine), print its path
#   scripts/wine.sh --overlay   # print a `go test -overlay` file that works
#                               # around a wine 8 gap in os.RemoveAll (below)
#   scripts/wine.sh --stop      # stop the prefix's wineserver and its processes
#   scripts/wine.sh taskkill /im illdesk.exe   # wine's own programs work too
#
# It returns the program's exit status. Console programs, the tests among
# them, need no display (DISPLAY may be unset); a GUI program needs one,
# e.g. Xvfb (scripts/e2e-windows.sh).
#
# Needs: wine and wine64 (Debian: apt-get install wine wine64; wine32 is not
# needed), and the mingw-w64 C compiler x86_64-w64-mingw32-gcc
# (gcc-mingw-w64-x86-64) to build the stand-in bcryptprimitives.dll.
#
# Why the stand-in: Go 1.24 and later need ProcessPrng from
# bcryptprimitives.dll at start ("fatal error: bcryptprimitives.dll not
# found"), which wine 8.0 lacks. scripts/wine/bcryptprimitives.c provides it
# on top of advapi32's RtlGenRandom; it is compiled here when the prefix is
# made and copied into the prefix's system32 (Go loads it from there only),
# never into a real Windows.
#
# The prefix is ${ILLDESK_WINEPREFIX:-${XDG_CACHE_HOME:-~/.cache}/illdesk/wine}.
# It is made once (wineboot takes some 10-30 s) under a lock, so parallel
# `go test` packages wait for one setup; it is made again when the wine
# version, the shim's source or this setup changes. WINEDEBUG defaults to
# -all (quiet). Mono's and Gecko's installers and the menu builder are
# disabled.
#
# The wineserver and wine's own services (services.exe, winedevice, rpcss,
# ...) keep the standard error of the wine process that started them. When
# that is a test's output pipe, `go test` waits for them to exit and reports
# "Test I/O incomplete". So before each program the wrapper makes sure the
# wineserver and the services run detached from the caller's output
# (wineserver -p: it stays 30 s after the last program, ample for the next
# package of a test run to start).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=${ILLDESK_WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/illdesk/wine}
setup_version=1 # raise when the setup below changes

die() {
	echo "wine.sh: $*" >&2
	exit 125
}

# Debian puts wine64 outside PATH; /usr/bin/wine picks wine32 when present.
wine=
for candidate in "$(command -v wine64 || true)" /usr/lib/wine/wine64 "$(command -v wine || true)"; do
	if [[ -n $candidate && -x $candidate ]]; then
		wine=$candidate
		break
	fi
done
[[ -n $wine ]] || die "wine is not installed (Debian: apt-get install wine wine64)"
wineserver=
for candidate in "$(command -v wineserver64 || true)" /usr/lib/wine/wineserver64 "$(command -v wineserver || true)"; do
	if [[ -n $candidate && -x $candidate ]]; then
		wineserver=$candidate
		break
	fi
done
[[ -n $wineserver ]] || die "wineserver is not installed (Debian: apt-get install wine wine64)"

export WINEPREFIX=$prefix WINEARCH=win64 WINELOADER=$wine
export WINEDEBUG=${WINEDEBUG:--all}
overrides="bcryptprimitives=n;mscoree,mshtml=;winemenubuilder.exe=d"
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:+$WINEDLLOVERRIDES;}$overrides

# stamp: what the prefix was made with; a change makes it anew.
stamp() {
	{
		echo "setup $setup_version"
		"$wine" --version
		cat "$here/wine/bcryptprimitives.c" "$here/wine/bcryptprimitives.def"
	} | sha256sum | cut -d' ' -f1
}

# setup makes the prefix and installs the shim, unless the stamp says it is
# done; under a lock, so concurrent callers make it once.
setup() {
	mkdir -p "$(dirname "$prefix")"
	local want
	want=$(stamp)
	exec 9>"$prefix.lock"
	flock 9
	if [[ -f $prefix/.illdesk-stamp && $(cat "$prefix/.illdesk-stamp") == "$want" ]]; then
		exec 9>&-
		return
	fi
	command -v x86_64-w64-mingw32-gcc >/dev/null ||
		die "the shim needs x86_64-w64-mingw32-gcc (Debian: apt-get install gcc-mingw-w64-x86-64)"
	echo "wine.sh: making the wine prefix $prefix" >&2
	local started=$SECONDS log tmp
	"$wineserver" -k >/dev/null 2>&1 || true
	rm -rf "$prefix"
	mkdir -p "$prefix"
	log=$prefix/.setup.log
	# wineboot --init makes the prefix; without a display it still works
	# (nothing it does needs a window here).
	"$wine" wineboot --init </dev/null >"$log" 2>&1 || {
		cat "$log" >&2
		die "wineboot --init failed"
	}
	"$wineserver" -w
	[[ -d $prefix/drive_c/windows/system32 ]] || {
		cat "$log" >&2
		die "wineboot made no $prefix/drive_c/windows/system32"
	}
	tmp=$(mktemp -d)
	x86_64-w64-mingw32-gcc -shared -O2 -s -o "$tmp/bcryptprimitives.dll" \
		"$here/wine/bcryptprimitives.c" "$here/wine/bcryptprimitives.def" -ladvapi32 ||
		die "could not compile scripts/wine/bcryptprimitives.c"
	cp "$tmp/bcryptprimitives.dll" "$prefix/drive_c/windows/system32/bcryptprimitives.dll"
	rm -rf "$tmp"
	echo "$want" >"$prefix/.illdesk-stamp"
	echo "wine.sh: prefix ready in $((SECONDS - started)) s" >&2
	exec 9>&-
}

# overlay writes a `go build -overlay` file for the Go toolchain on PATH and
# prints its path. Go's os.RemoveAll (and os.Root's Remove) delete with
# NtSetInformationFile(FileDispositionInformationEx), and fall back to the
# older FileDispositionInformation only for the statuses a Windows without
# it returns; wine 8 answers STATUS_NOT_IMPLEMENTED instead ("unlinkat ...:
# Invalid function."), so every t.TempDir cleanup would fail. The overlay
# adds that status to the fallback's list in a copy of
# internal/syscall/windows/at_windows.go; it changes nothing on a real
# Windows (10 1607 and later support the call). When the file has no such
# list (another Go version), the overlay replaces nothing.
overlay() {
	local goroot src dir out line
	goroot=$(go env GOROOT)
	src=$goroot/src/internal/syscall/windows/at_windows.go
	dir=$prefix-overlay/$(go env GOVERSION)
	out=$dir/at_windows.go
	mkdir -p "$dir"
	line=$'\t\tSTATUS_INVALID_PARAMETER, // the operating system doesn\'t support one of the flags'
	if [[ -f $src ]] && grep -qxF "$line" "$src"; then
		awk -v line="$line" '$0 == line { print "\t\tNTStatus(0xC0000002), // STATUS_NOT_IMPLEMENTED: wine 8 has no FileDispositionInformationEx" } { print }' \
			"$src" >"$out.tmp"
		mv "$out.tmp" "$out"
		printf '{"Replace":{"%s":"%s"}}\n' "$src" "$out" >"$dir/overlay.json"
	else
		echo "wine.sh: $src has no fallback list to extend; no overlay" >&2
		echo '{"Replace":{}}' >"$dir/overlay.json"
	fi
	echo "$dir/overlay.json"
}

# detach starts the wineserver (persisting 30 s after the last program) and
# wine's services with no standard streams of the caller's, then returns
# with them running.
detach() {
	"$wineserver" -p30 </dev/null >/dev/null 2>&1 || true # exits at once when one runs already
	"$wine" cmd /c exit 0 </dev/null >/dev/null 2>&1 ||
		die "wine could not run cmd.exe in $prefix (WINEDEBUG=err+all shows why)"
}

case ${1:-} in
"" | -h | --help)
	sed -n '2,/^# It returns/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 2
	;;
--setup)
	setup
	echo "$prefix"
	exit 0
	;;
--overlay)
	overlay
	exit 0
	;;
--stop)
	if [[ -d $prefix ]]; then
		"$wineserver" -k >/dev/null 2>&1 || true
		"$wineserver" -w >/dev/null 2>&1 || true
	fi
	exit 0
	;;
esac

# A path must exist; a bare name is one of wine's own programs (cmd,
# taskkill, winepath, ...).
[[ $1 != */* || -f $1 ]] || die "no program $1"
setup
detach
exec "$wine" "$@"
