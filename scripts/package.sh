#!/usr/bin/env bash
# Builds ILL Desk's packages into dist/ with `fyne package` (fyne.io/tools),
# from FyneApp.toml and assets/icon.png:
#
#   scripts/package.sh [linux] [windows]    # both when none is named
#   scripts/package.sh darwin               # on a Mac only
#
#   linux    dist/illdesk-linux-amd64.tar.xz (for this machine's architecture):
#            the binary, the icon, a .desktop file and fyne's Makefile
#            (`sudo make install`, or `make user-install` for ~/.local)
#   windows  dist/illdesk.exe, cross-compiled with mingw-w64 (Debian/Ubuntu:
#            apt-get install gcc-mingw-w64-x86-64): a GUI program (no console
#            window) with the icon and version information built in; and
#            dist/illdesk-cli.exe, the same program marked as a console one,
#            for the command line (a GUI program's output never reaches the
#            console it was started from)
#   darwin   dist/ILL Desk.app, for this Mac's architecture; needs Xcode's
#            command line tools (xcode-select --install). Not tried on a Mac
#            by CI, which runs on Linux.
#
# The first run compiles Fyne's C parts once per target (a few minutes each);
# later runs take seconds.
#
# fyne package reads FyneApp.toml beside the main package, writes files there
# while it builds (the metadata, the Windows resources, the executable) and
# afterwards raises Build in that FyneApp.toml. So it works on copies of app/
# and FyneApp.toml in dist/_build, which is removed at the end (the go tool's
# ./... skips directories whose names start with "_"): app/ and FyneApp.toml
# are never changed, and Build stays what app/version.go says.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fyne_tools=fyne.io/tools/cmd/fyne@v1.7.4

targets=("$@")
((${#targets[@]})) || targets=(linux windows)
for target in "${targets[@]}"; do
	case $target in
	linux | windows) ;;
	darwin)
		[[ $(uname -s) == Darwin ]] || {
			echo "package.sh: darwin builds on a Mac only (Fyne needs Apple's SDK to compile its C parts)" >&2
			exit 1
		}
		;;
	*)
		echo "usage: scripts/package.sh [linux] [windows] | darwin" >&2
		exit 2
		;;
	esac
done

mkdir -p dist/_build
bin=$(mktemp -d)
trap 'rm -rf "$bin" "$root/dist/_build"' EXIT
GOBIN=$bin go install "$fyne_tools"
fyne=$bin/fyne

# stage OS copies the main package and FyneApp.toml to dist/_build/OS/illdesk
# (the folder's name is the executable's), a folder of its own for each
# target so that they can be built side by side.
stage() {
	rm -rf "dist/_build/$1"
	mkdir -p "dist/_build/$1/illdesk"
	local f
	for f in app/*.go; do
		[[ $f == *_test.go ]] || cp "$f" "dist/_build/$1/illdesk/"
	done
	cp FyneApp.toml "dist/_build/$1/illdesk/"
}

# fyne_package OS ICON: fyne package for OS on its staged copy, run in dist/
# (where the Linux archive is written); -release strips debug information
# and builds with Fyne's release tag; no_emoji leaves out Fyne's bundled
# emoji font (README, "Run it on demo data").
fyne_package() {
	(cd dist && "$fyne" package -os "$1" -release -tags no_emoji -src "_build/$1/illdesk" -icon "$2")
}

package_linux() {
	local arch archive
	arch=$(go env GOARCH)
	archive=dist/illdesk-linux-$arch.tar.xz
	echo "-- $archive"
	stage linux
	rm -f "dist/ILL Desk.tar.xz" "$archive"
	fyne_package linux "$root/assets/icon.png"
	mv "dist/ILL Desk.tar.xz" "$archive"
	tar -tvJf "$archive"
	echo "-- the .desktop file"
	tar -xOJf "$archive" --wildcards '*.desktop'
}

package_windows() {
	command -v x86_64-w64-mingw32-gcc >/dev/null || {
		echo "package.sh: windows needs the mingw-w64 C compiler x86_64-w64-mingw32-gcc (Debian/Ubuntu: apt-get install gcc-mingw-w64-x86-64)" >&2
		exit 1
	}
	echo "-- dist/illdesk.exe"
	stage windows
	rm -f dist/illdesk.exe dist/illdesk-cli.exe
	# fyne package puts the icon in the .exe as a single image, which Windows
	# scales for its small views; an icon holds images of at most 256 px.
	go run ./tools/icon -size 256 -o dist/_build/windows/icon-256.png
	GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
		fyne_package windows "$root/dist/_build/windows/icon-256.png"
	mv "dist/_build/windows/illdesk/ILL Desk.exe" dist/illdesk.exe
	# The console program is the same file with the PE header's subsystem
	# field (2 bytes at offset 68 of the optional header, which follows the
	# "PE\0\0" signature at e_lfanew and the 20-byte file header) turned
	# from 2, Windows GUI, to 3, Windows console: what `editbin /subsystem`
	# does; nothing else differs.
	echo "-- dist/illdesk-cli.exe"
	local pe
	pe=$(od -An -tu4 -j60 -N4 dist/illdesk.exe | tr -d ' ')
	[[ $(od -An -c -j"$pe" -N2 dist/illdesk.exe | tr -d ' ') == PE ]] || {
		echo "package.sh: dist/illdesk.exe has no PE header at $pe" >&2
		exit 1
	}
	cp dist/illdesk.exe dist/illdesk-cli.exe
	printf '\003' | dd of=dist/illdesk-cli.exe bs=1 seek=$((pe + 4 + 20 + 68)) conv=notrunc status=none
	ls -l dist/illdesk.exe dist/illdesk-cli.exe
}

package_darwin() {
	echo "-- dist/ILL Desk.app"
	stage darwin
	rm -rf "dist/ILL Desk.app"
	fyne_package darwin "$root/assets/icon.png"
	ls -lR "dist/ILL Desk.app"
}

if ((${#targets[@]} == 1)); then
	"package_${targets[0]}"
	exit
fi
# Several targets are built side by side: a cold build spends minutes in a
# single C compiler process per target, so this way more cores work. Each
# one's output is shown once it is done.
pids=()
for target in "${targets[@]}"; do
	"package_$target" >"dist/_build/$target.log" 2>&1 &
	pids+=($!)
done
failed=()
for i in "${!targets[@]}"; do
	wait "${pids[$i]}" || failed+=("${targets[$i]}")
	cat "dist/_build/${targets[$i]}.log"
done
if ((${#failed[@]})); then
	echo "package.sh: failed: ${failed[*]}" >&2
	exit 1
fi
