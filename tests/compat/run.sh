#!/bin/sh
# tests/compat/run.sh -- Twilio-library compatibility suite for `gatehouse serve`.
#
# Installs the pinned npm packages (package.json + package-lock.json: twilio 6.3.1, otplib, and
# two common-password lists for breach_lists.js) with install.sh when they are missing or the
# lock file changed, then runs flow.js, which starts a fresh server in a temporary data folder, drives it with the
# official library through ../shared/twilio/redirect-client.js and prints TAP on stdout.
# Then breach_lists.js imports real common-password lists into the breach index and reads
# them back.  npm's output goes to stderr.  Exit status is non-zero when any case fails.
#
# Environment:
#   GATEHOUSE_BIN  server binary (default build-dev/cli/gatehouse; relative paths are taken
#                  from the repo root)
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

if ! sh "$here/install.sh"; then
    echo 'Bail out! the pinned npm packages could not be installed (tests/compat/install.sh)'
    exit 1
fi

NODE_PATH="$here/node_modules${NODE_PATH:+:$NODE_PATH}"
export NODE_PATH
status=0
node "$here/flow.js" || status=1
node "$here/breach_lists.js" || status=1
node "$here/tokens.js" || status=1
node "$here/webhook.js" || status=1
node "$here/totp.js" || status=1
exit $status
