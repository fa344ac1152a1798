#!/bin/sh
# Runs one node:test file with TAP output, for the automake TAP driver.
exec node --test --test-reporter=tap "$@"
