# The command line: help, version, usage errors and exit codes.
. "$TOP/tests/e2e/lib.sh"

expect_status "--help exits 0" 0 "$PLC" --help
contains "--help lists check" "$T/out" "check [--now TIME]"
expect_status "--version exits 0" 0 "$PLC" --version
expect "--version names the program" grep -qE '^plc-cadence [0-9]+\.[0-9]+' "$T/out"
expect_status "no command is a usage error (64)" 64 "$PLC"
expect_status "an unknown command is a usage error (64)" 64 "$PLC" -c "$TOP/conf/demo.ini" frobnicate
contains "the unknown command is named" "$T/err" "unknown command 'frobnicate'"
expect_status "an unknown option is a usage error (64)" 64 "$PLC" --bogus check
expect_status "a missing config exits 78" 78 "$PLC" -c "$T/nope.ini" check
contains "the missing config is named" "$T/err" "$T/nope.ini"
expect_status "\$PLC_CADENCE_CONFIG is read" 0 env PLC_CADENCE_CONFIG="$TOP/conf/demo.ini" "$PLC" check --now 2026-10-30T12:00
expect_status "-c wins over \$PLC_CADENCE_CONFIG" 78 env PLC_CADENCE_CONFIG="$TOP/conf/demo.ini" "$PLC" -c "$T/nope.ini" check
expect_status "a bad --now is a usage error (64)" 64 "$PLC" -c "$TOP/conf/demo.ini" check --now 2026-13-01
contains "the bad --now is named" "$T/err" "2026-13-01"
expect_status "check takes no extra arguments" 64 "$PLC" -c "$TOP/conf/demo.ini" check extra
# run's knobs for the tests (a worker that took a bad one would run one
# cycle in $T and exit 0).
printf '[worker]\nstate_dir = %s/state\ntimezone = UTC\n' "$T" >"$T/min.ini"
for o in "--stop-grace 0" "--stop-grace 3601" "--stop-grace 2s" "--retry 0" "--retry ''" "--lock-wait 0" "--lock-wait 1s"; do
	eval "set -- $o"
	expect_status "run $o is a usage error (64)" 64 "$PLC" -c "$T/min.ini" run --once "$@"
done
expect_status "run --once --stop-grace 2 --retry 1 --lock-wait 1 runs" 0 "$PLC" -c "$T/min.ini" run --once --stop-grace 2 --retry 1 --lock-wait 1
