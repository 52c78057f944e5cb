# The man pages lint clean, and plc-cadence(8) documents every command the
# binary has, so that it cannot fall behind.
. "$TOP/tests/e2e/lib.sh"

# lint_clean DESC PAGE: mandoc reports nothing at warning level or above.
lint_clean() {
	mandoc -Tlint -Wwarning "$2" >"$T/lint" 2>&1; st=$?
	if [ $st -eq 0 ] && [ ! -s "$T/lint" ]; then ok "$1"
	else not_ok "$1 (mandoc status $st)"; sed 's/^/#   /' "$T/lint"; fi
}
if ! command -v mandoc >/dev/null 2>&1; then
	not_ok "mandoc is installed (make deps installs it)"
	exit 1
fi
lint_clean "plc-cadence.8 lints clean" "$TOP/man/plc-cadence.8"
lint_clean "plc-cadence.ini.5 lints clean" "$TOP/man/plc-cadence.ini.5"
# The lint must be able to fail: a page without its title line does.
grep -v '^\.Dt ' "$TOP/man/plc-cadence.8" >"$T/broken.8"
mandoc -Tlint -Wwarning "$T/broken.8" >"$T/lint" 2>&1
expect "mandoc -Tlint reports a broken page" test -s "$T/lint"

# Every entry of main.c's command table: { "name", cmd_fn, ... }.
sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", cmd_[a-z_]*,.*/\1/p' "$TOP/worker/main.c" >"$T/commands"
expect "the command table was found in worker/main.c" test -s "$T/commands"
while read -r c; do
	expect "plc-cadence.8 documents the command '$c'" \
	    grep -Eq "^\.(It +)?Ic +$c( |\$)" "$TOP/man/plc-cadence.8"
done <"$T/commands"
# Every key the config accepts (config_key.c's tables: name, handler,
# required, default) appears in plc-cadence.ini.5.
sed -n 's/^[[:space:]]*{ "\([a-z_]*\)", [a-z]*_[a-z_]*, \(true\|false\), [^}]* },.*/\1/p' "$TOP/worker/config_key.c" | sort -u >"$T/keys"
expect "the key tables were found in worker/config_key.c" test "$(wc -l <"$T/keys")" -gt 20
while read -r k; do
	expect "plc-cadence.ini.5 documents the key '$k'" \
	    grep -Eq "^\.It Cm $k No = " "$TOP/man/plc-cadence.ini.5"
done <"$T/keys"
