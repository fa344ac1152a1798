# tests/browser/: the demo in Debian's chromium, driven by playwright-core
# (tests/browser/package.json; tests/lib/deps.sh runs npm install there).
BROWSER_TESTS = \
	tests/browser/test_demo.js \
	tests/browser/test_users.js \
	tests/browser/test_consent.js \
	tests/browser/test_escaping.js \
	tests/browser/test_csp.js \
	tests/browser/test_unavailable.js
TESTS += $(BROWSER_TESTS)

# The demo: the script, its site, and the templates it fills in.
EXTRA_DIST += $(BROWSER_TESTS) \
	demo.sh \
	conf/demo/nginx.conf.in \
	conf/demo/richprofile.conf.in \
	conf/demo/site/index.html \
	conf/demo/site/account.shtml \
	conf/demo/site/static/app.js \
	conf/demo/site/static/site.css \
	tests/browser/stack.js \
	tests/browser/package.json \
	tests/browser/package-lock.json
