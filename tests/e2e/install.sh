# `make install` / `make uninstall`: the layout, the modes, the unit pointing
# at the installed binary, and a config that is never overwritten or removed.
. "$TOP/tests/e2e/lib.sh"

# The binary under test is installed as it is: no rebuild with other flags.
mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$TOP" BIN="$PLC" "$@" >"$T/make.log" 2>&1 || { sed 's/^/#   /' "$T/make.log"; return 1; }; }
sd() { pkg-config --variable="$1" systemd 2>/dev/null || echo "$2"; }
unitdir=$(sd systemdsystemunitdir /lib/systemd/system)
sysusersdir=$(sd sysusersdir /usr/lib/sysusers.d)
tmpfilesdir=$(sd tmpfilesdir /usr/lib/tmpfiles.d)

R=$T/root
expect "make install DESTDIR PREFIX=/usr/local succeeds" mk install DESTDIR="$R" PREFIX=/usr/local

# mode_is DESC FILE MODE
mode_is() {
	if [ -f "$2" ] && [ "$(stat -c %a "$2")" = "$3" ]; then ok "$1"
	else not_ok "$1 ($2: $(stat -c %a "$2" 2>&1))"; fi
}
files="usr/local/bin/plc-cadence:755
${unitdir#/}/plc-cadence.service:644
${sysusersdir#/}/plc-cadence.conf:644
${tmpfilesdir#/}/plc-cadence.conf:644
etc/plc-cadence/plc-cadence.ini:644
usr/local/share/man/man8/plc-cadence.8:644
usr/local/share/man/man5/plc-cadence.ini.5:644"
for f in $files; do
	mode_is "installed ${f%:*} (mode ${f#*:})" "$R/${f%:*}" "${f#*:}"
done
expect "the binary is the one under test" cmp -s "$PLC" "$R/usr/local/bin/plc-cadence"
expect "the config is the annotated example" cmp -s "$TOP/conf/example.ini" "$R/etc/plc-cadence/plc-cadence.ini"
unit=$R$unitdir/plc-cadence.service
contains "the unit runs the installed binary" "$unit" "ExecStart=/usr/local/bin/plc-cadence -c /etc/plc-cadence/plc-cadence.ini run"
expect "no temporary file is left in the unit directory" test ! -e "$unit.tmp"
expect "the sysusers snippet is the shipped one" cmp -s "$TOP/systemd/plc-cadence.sysusers" "$R$sysusersdir/plc-cadence.conf"
expect "the installed man page renders" sh -c "mandoc -Tascii '$R/usr/local/share/man/man8/plc-cadence.8' | grep -q 'backup'"

# The sysadmin edits the config; a second install must keep the edit.
echo "; edited by the sysadmin" >>"$R/etc/plc-cadence/plc-cadence.ini"
cp "$R/etc/plc-cadence/plc-cadence.ini" "$T/edited.ini"
expect "a second make install succeeds" mk install DESTDIR="$R" PREFIX=/usr/local
expect "the edited config is not overwritten" cmp -s "$T/edited.ini" "$R/etc/plc-cadence/plc-cadence.ini"

expect "make uninstall succeeds" mk uninstall DESTDIR="$R" PREFIX=/usr/local
for f in $files; do
	case $f in etc/*) continue ;; esac
	expect "uninstall removed ${f%:*}" test ! -e "$R/${f%:*}"
done
expect "uninstall keeps the config" cmp -s "$T/edited.ini" "$R/etc/plc-cadence/plc-cadence.ini"

# Another PREFIX and SYSCONFDIR, every directory inside $T and no DESTDIR, so
# that the unit's paths are real: systemd-analyze verify checks them all, the
# binary and the man pages of Documentation= included.
P=$T/p
expect "make install into a private prefix succeeds" mk install PREFIX="$P/usr" SYSCONFDIR="$P/etc" UNITDIR="$P/unit" SYSUSERSDIR="$P/sysusers" TMPFILESDIR="$P/tmpfiles"
contains "ExecStart follows PREFIX and SYSCONFDIR" "$P/unit/plc-cadence.service" "ExecStart=$P/usr/bin/plc-cadence -c $P/etc/plc-cadence/plc-cadence.ini run"
expect "no line of the unit names /usr/local or /etc/plc-cadence then" sh -c "! grep -E '(^|[=: ])(/usr/local|/etc/plc-cadence)' '$P/unit/plc-cadence.service'"
contains "the tmpfiles snippet follows SYSCONFDIR" "$P/tmpfiles/plc-cadence.conf" "d $P/etc/plc-cadence/credentials 0700"
# systemd-analyze comes with the systemd package (in DEB_PKGS): no skip.
MANPATH=$P/usr/share/man systemd-analyze verify "$P/unit/plc-cadence.service" >"$T/verify" 2>&1
expect "systemd-analyze verify of the installed unit prints nothing" test ! -s "$T/verify"
sed 's/^/#   /' "$T/verify"
# The hardening, scored offline from the unit file itself (no running
# systemd needed): 1.5 or below.  timesyncd's own unit scores 2.3.
systemd-analyze security --offline=yes "$P/unit/plc-cadence.service" >"$T/security" 2>&1
score=$(sed -n 's/.*Overall exposure level for plc-cadence.service: \([0-9.]*\).*/\1/p' "$T/security")
expect "systemd-analyze security --offline=yes scores 1.5 or below (got ${score:-nothing})" \
    awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 1.5) }'
[ -n "$score" ] || sed 's/^/#   /' "$T/security"
# The shipped unit as it is in the tree scores the same.
systemd-analyze security --offline=yes "$TOP/systemd/plc-cadence.service" >"$T/security2" 2>&1
expect "the shipped unit scores the same" grep -q "Overall exposure level for plc-cadence.service: $score " "$T/security2"
