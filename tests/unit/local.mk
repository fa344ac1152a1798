# tests/unit/: one Check program per module of lib/ and of the program's
# core (test_fcgi), each a list of cases with TAP output.
UNIT_TESTS = tests/unit/test_attr tests/unit/test_err tests/unit/test_netaddr tests/unit/test_cache tests/unit/test_breaker tests/unit/test_cfg tests/unit/test_log tests/unit/test_buf tests/unit/test_escape tests/unit/test_i18n tests/unit/test_consent tests/unit/test_cookie tests/unit/test_query tests/unit/test_parse tests/unit/test_template tests/unit/test_render tests/unit/test_client tests/unit/test_fcgi tests/unit/test_auth_cfg tests/unit/test_metrics tests/unit/test_sandbox tests/unit/test_trace tests/unit/test_shared
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
EXTRA_DIST += tests/unit/fixtures

tests_unit_test_attr_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_attr_LDADD = $(TEST_LIBS)
tests_unit_test_err_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_err_LDADD = $(TEST_LIBS)
tests_unit_test_netaddr_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_netaddr_LDADD = $(TEST_LIBS)
tests_unit_test_cache_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cache_LDADD = $(TEST_LIBS)
tests_unit_test_breaker_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_breaker_LDADD = $(TEST_LIBS)
tests_unit_test_cfg_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cfg_LDADD = $(TEST_LIBS)
tests_unit_test_log_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_log_LDADD = $(TEST_LIBS)
tests_unit_test_buf_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_buf_LDADD = $(TEST_LIBS)
tests_unit_test_escape_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_escape_LDADD = $(TEST_LIBS)
tests_unit_test_i18n_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_i18n_LDADD = $(TEST_LIBS)
tests_unit_test_consent_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_consent_LDADD = $(TEST_LIBS)
tests_unit_test_cookie_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cookie_LDADD = $(TEST_LIBS)
tests_unit_test_query_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_query_LDADD = $(TEST_LIBS)
tests_unit_test_parse_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_parse_LDADD = $(TEST_LIBS)
tests_unit_test_auth_cfg_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_auth_cfg_LDADD = $(TEST_LIBS)
tests_unit_test_metrics_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_metrics_LDADD = $(TEST_LIBS)
# The seccomp sandbox: each case forks, so that a filter ends with its child.
tests_unit_test_sandbox_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sandbox_LDADD = $(TEST_LIBS)
tests_unit_test_trace_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_trace_LDADD = $(TEST_LIBS)
# Templates and rendering: profiles and configurations built by hand.
tests_unit_test_template_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_template_LDADD = $(RENDER_TEST_LIBS)
tests_unit_test_render_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_render_LDADD = $(RENDER_TEST_LIBS)
# The HTTP client against the loopback test server (TLS included).
tests_unit_test_client_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_client_LDADD = $(TESTSERVER_LIBS)
# The program's request plumbing: its core, not main().
tests_unit_test_fcgi_CFLAGS = $(TEST_CFLAGS) $(FCGI_CORE_CPPFLAGS)
tests_unit_test_fcgi_LDADD = tests/lib/libtestutil.a $(FCGI_CORE_LIBS) $(CHECK_LIBS)
# The shared tier: packing, sealing, key files, and hiredis against a
# real redis-server (tests/lib/redisproc) and a hostile fake one.
tests_unit_test_shared_CFLAGS = $(TEST_CFLAGS) $(SODIUM_CFLAGS)
tests_unit_test_shared_LDADD = tests/lib/libredisproc.a $(TEST_LIBS)
