#!/bin/sh
# Runs one compiled test under valgrind memcheck (make check-valgrind).
# Check's fork mode is turned off so the test code runs in the process
# valgrind watches; RP_UNDER_VALGRIND tells wall-clock bounds to stand
# aside (valgrind slows code 20-50x; those bounds are checked by the
# plain and sanitizer runs).
CK_FORK=no
RP_UNDER_VALGRIND=1
export CK_FORK RP_UNDER_VALGRIND
exec valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--suppressions="${top_srcdir:-.}/tests/lib/valgrind.supp" "$@"
