#!/bin/sh
# The autoscaling twin replayed against one e2e load test (docs/autoscaling-twin.md, "Calibration"):
#   tools/e2e/calibrate-twin.sh REPORT_DIR AUTOSCALER
# Run right after the load test, while the dev stack's settings are the ones it ran with. The error
# (cluster minus twin) goes to "$GITHUB_STEP_SUMMARY.twin", which a last step appends to the job
# summary; the timelines to REPORT_DIR/twin.json and twin.html; the run's profile and readiness to
# REPORT_DIR/measured.json (commit one as twin/measured.json for plans to use). A calibration that cannot run says so
# there and in the log, without failing the load test it reports on.
set -u
dir=$1
mode=$2
summary=${GITHUB_STEP_SUMMARY:-/dev/stdout}.twin
if npm run --silent simulate -- --stack dev --autoscaler "$mode" --calibrate "$dir/report.json" --profile "$dir/report.json" \
    --write-measured "$dir/measured.json" --markdown --json "$dir/twin.json" --html "$dir/twin.html" > "$dir/twin.md"; then
  cat "$dir/twin.md" >> "$summary"
else
  status=$?
  echo "- the twin's calibration against $dir did not run (exit $status): see the step's log" >> "$summary"
fi
