# `check` on configs with mistakes: exit 78 and every mistake named by line.
. "$TOP/tests/e2e/lib.sh"
F="$TOP/tests/fixtures/config"

expect_status "a config with five mistakes exits 78" 78 "$PLC" -c "$F/errors.ini" check
contains "bad zone named with its line" "$T/err" "$F/errors.ini:3: [worker] timezone: unknown time zone 'Mars/Base'"
contains "unknown key named with its line" "$T/err" "$F/errors.ini:4: [worker] unknown key 'colour'"
contains "undefined member named with its line" "$T/err" "$F/errors.ini:11: [community math7] members: member 'zed' is not defined"
contains "bad time named with its line" "$T/err" "$F/errors.ini:14: [community math7] time: '25:00' is not a time of day"
contains "bad duration named with its line" "$T/err" "$F/errors.ini:15: [community math7] duration: '45 minutes' is not a duration"
expect "nothing on stdout" test ! -s "$T/out"

expect_status "syntax errors and duplicates exit 78" 78 "$PLC" -c "$F/syntax.ini" check
contains "duplicate key named" "$T/err" "$F/syntax.ini:4: duplicate key 'timezone' in [worker] (first at line 3)"
contains "syntax error named" "$T/err" "$F/syntax.ini:7: syntax error"
contains "duplicate section named" "$T/err" "$F/syntax.ini:8: duplicate section [worker] (first at line 2)"

# A secret file others can read is refused; chmod 600 fixes it.
printf 'hunter2\n' >"$T/pw"; chmod 644 "$T/pw"
cat >"$T/secret.ini" <<EOT
[worker]
state_dir = state
[smtp]
username = plc
password = file:pw
EOT
expect_status "a world-readable secret file exits 78" 78 "$PLC" -c "$T/secret.ini" check
contains "the secret file is named" "$T/err" "$T/secret.ini:5: [smtp] password: secret file $T/pw is readable by others (chmod 600)"
expect "the secret is not shown" sh -c "! grep -q hunter2 '$T/err'"
chmod 600 "$T/pw"
expect_status "a private secret file is read" 0 "$PLC" -c "$T/secret.ini" check --now 2026-10-30T12:00

expect_status "the demo config is valid" 0 "$PLC" -c "$TOP/conf/demo.ini" check --now 2026-10-30T12:00
expect "the demo config has no warnings" sh -c "! grep -q warning '$T/err'"

# The reference config validates once its credentials exist, named as
# the shipped unit loads them (plc_FILENAME).
mkdir -p "$T/creds"
printf 'a-link-secret-of-some-length\n' >"$T/creds/plc_link-secret"
printf 'pw\n' >"$T/creds/plc_smtp-password"
printf 'https://hooks.slack.com/services/T0/B0/x\n' >"$T/creds/plc_math-webhook"
expect_status "the example config is valid" 0 env CREDENTIALS_DIRECTORY="$T/creds" "$PLC" -c "$TOP/conf/example.ini" check --now 2026-10-30T12:00
expect "the example config has no warnings" sh -c "! grep -q warning '$T/err'"
