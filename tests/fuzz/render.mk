# Fuzz targets of the rendering modules (issue 5): the Cookie header
# reader, query strings with return paths and privacy URLs, templates.
FUZZ_SOURCES += tests/fuzz/fuzz_cookie.c tests/fuzz/fuzz_query.c \
	tests/fuzz/fuzz_template.c
EXTRA_DIST += tests/fuzz/template.dict tests/fuzz/template.seeds
