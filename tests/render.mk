# Unit tests of the rendering modules: buffer, escaping, templates,
# language, consent links, cookie and query parsing, rendering.
render_tests = tests/test_buf tests/test_escape tests/test_i18n \
	tests/test_consent tests/test_cookie tests/test_query \
	tests/test_template tests/test_render
check_PROGRAMS += $(render_tests)
TESTS += $(render_tests)
noinst_LIBRARIES += tests/librenderfx.a
tests_librenderfx_a_CFLAGS = $(TEST_CFLAGS)
tests_librenderfx_a_SOURCES = tests/render_fixture.c tests/render_fixture.h
RENDER_TEST_LIBS = tests/librenderfx.a $(TEST_LIBS)
tests_test_buf_CFLAGS = $(TEST_CFLAGS)
tests_test_buf_LDADD = $(TEST_LIBS)
tests_test_escape_CFLAGS = $(TEST_CFLAGS)
tests_test_escape_LDADD = $(TEST_LIBS)
tests_test_i18n_CFLAGS = $(TEST_CFLAGS)
tests_test_i18n_LDADD = $(TEST_LIBS)
tests_test_consent_CFLAGS = $(TEST_CFLAGS)
tests_test_consent_LDADD = $(TEST_LIBS)
tests_test_cookie_CFLAGS = $(TEST_CFLAGS)
tests_test_cookie_LDADD = $(TEST_LIBS)
tests_test_query_CFLAGS = $(TEST_CFLAGS)
tests_test_query_LDADD = $(TEST_LIBS)
tests_test_template_CFLAGS = $(TEST_CFLAGS)
tests_test_template_LDADD = $(RENDER_TEST_LIBS)
tests_test_render_CFLAGS = $(TEST_CFLAGS)
tests_test_render_LDADD = $(RENDER_TEST_LIBS)
