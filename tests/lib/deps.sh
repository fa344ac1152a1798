#!/usr/bin/env bash
# Installs what building, the demo and the tests need on Debian 12.
# Sourced by demo.sh (rp_install_deps) and check.sh
# (rp_install_test_deps); safe to run again (installs only what is
# missing).  As root it runs apt-get; otherwise it prints the command.

rp_debian_packages=(
	# build
	build-essential autoconf automake autoconf-archive libtool pkg-config
	libcurl4-openssl-dev libexpat1-dev libinih-dev libsodium-dev libfcgi-dev
	libmicrohttpd-dev libssl-dev libseccomp-dev check libhiredis-dev
	# tests, demo, benchmark, fuzzing
	nginx-light apache2 curl openssl ca-certificates valgrind clang
	libclang-rt-14-dev wrk spawn-fcgi libfcgi-bin libapache2-mod-fcgid mandoc
	systemd chromium bsdextrautils
	python3 procps iproute2
	# the shared tier's tests start their own redis-server
	redis-server
	# the Debian packages (make deb, tests/deb/): debhelper brings
	# dh-autoreconf; Rules-Requires-Root: no, so no fakeroot
	dpkg-dev debhelper lintian
)

# rp_install_debian [PACKAGE...]: installs what is missing of
# rp_debian_packages and of the packages given.
rp_install_debian() {
	local missing=() p
	for p in "${rp_debian_packages[@]}" "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "richprofile: missing Debian packages; run as root:" >&2
			echo "  apt-get install -y ${missing[*]}" >&2
			return 1
		fi
		echo "richprofile: installing ${missing[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q >/dev/null &&
			apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
			{ echo "richprofile: apt-get install failed" >&2; return 1; }
		# redis-server's package starts a system instance on port 6379:
		# the tests start their own on free ports and must not lean on
		# it.  Only one installed here is stopped: a Redis the machine
		# already ran is left alone.
		case " ${missing[*]} " in
		*" redis-server "*) rp_quiet_system_redis ;;
		esac
	fi
	# Installing nginx or apache2 may start them on port 80; the tests
	# start their own instances and need nothing listening there.
	return 0
}

# rp_quiet_system_redis: stops and disables the redis-server service the
# Debian package starts when installed (as root only).
rp_quiet_system_redis() {
	[ "$(id -u)" -eq 0 ] || return 0
	dpkg-query -W -f='${Status}' redis-server 2>/dev/null | grep -q 'install ok installed' || return 0
	if [ -d /run/systemd/system ]; then
		systemctl disable --now redis-server.service >/dev/null 2>&1 || true
	elif command -v service >/dev/null 2>&1; then
		service redis-server stop >/dev/null 2>&1 || true
		command -v update-rc.d >/dev/null 2>&1 && update-rc.d redis-server disable >/dev/null 2>&1 || true
	fi
	return 0
}

# What building and the demo need (demo.sh): Debian packages only.  No
# npm: nothing the demo runs comes from it, and a machine without
# network must still be able to start the demo.
rp_install_deps() {
	rp_install_debian
}

# What the tests need (check.sh): the same, Node.js and npm, and the
# browser tests' npm packages (playwright-core, driving Debian's chromium).
rp_install_test_deps() {
	local extra=()
	# Node.js may come from elsewhere (with its own npm): only the commands matter.
	command -v node >/dev/null 2>&1 || extra+=(nodejs)
	command -v npm >/dev/null 2>&1 || extra+=(npm)
	rp_install_debian "${extra[@]}" || return 1
	if [ -f tests/browser/package.json ] && [ ! -d tests/browser/node_modules/playwright-core ]; then
		(cd tests/browser && npm install --no-audit --no-fund --silent) || {
			echo "richprofile: npm install in tests/browser failed; the browser" \
				"tests need playwright-core: check the network (or npm's proxy" \
				"settings) and run check.sh again" >&2
			return 1
		}
	fi
	return 0
}

# What `make bench` needs beyond the tests': PHP-FPM for its peer (r3),
# never installed by check.sh (make check does not run the benchmark).
rp_install_bench_deps() {
	rp_install_debian php-fpm php-curl php-xml
}
