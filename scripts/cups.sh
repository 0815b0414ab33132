#!/usr/bin/env bash
# A printer to print pick slips to: CUPS with the cups-pdf queue PDF, which
# writes each job as a PDF file (cups/ tests print to it and read the file
# back). Needs Debian's cups and printer-driver-cups-pdf packages, and root
# (it starts the scheduler and adds a queue). Run it once before the tests:
#
#   scripts/cups.sh
#
# It starts cupsd when no scheduler answers (a fresh machine has no init
# system running it), adds the queue PDF when missing, and prints the
# folder cups-pdf writes the jobs of the user running it into.
set -euo pipefail
command -v cupsd >/dev/null && command -v lpadmin >/dev/null && [ -e /usr/lib/cups/backend/cups-pdf ] ||
	{ echo "cups.sh: cups and printer-driver-cups-pdf are needed: apt-get install cups printer-driver-cups-pdf" >&2; exit 1; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if ! lpstat -r 2>/dev/null | grep -q "is running"; then
	$sudo cupsd # it goes to the background once it listens
	for _ in $(seq 50); do
		lpstat -r 2>/dev/null | grep -q "is running" && break
		sleep 0.2
	done
	lpstat -r | grep -q "is running" || { echo "cups.sh: cupsd did not start" >&2; exit 1; }
fi

if ! lpstat -p PDF >/dev/null 2>&1; then
	# Debian's model for the cups-pdf backend, as lpinfo -m names it
	model=$(lpinfo -m | awk '/cups-pdf\/CUPS-PDF_noopt\.ppd/ {print $1; exit}')
	[ -n "$model" ] || { echo "cups.sh: no CUPS-PDF model in lpinfo -m" >&2; exit 1; }
	$sudo lpadmin -p PDF -v cups-pdf:/ -E -m "$model"
fi
lpstat -p PDF

# cups-pdf writes into Out of its configuration, in which ${HOME} is the
# home of the job's user.
out=$(awk '$1 == "Out" {print $2}' /etc/cups/cups-pdf.conf)
echo "${out//\$\{HOME\}/$HOME}"
