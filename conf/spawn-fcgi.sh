#!/bin/sh
# spawn-fcgi.sh: run richprofile-fcgi under spawn-fcgi, for hosts without
# systemd (or a site that prefers its own supervisor: runit, s6, daemontools
# all run this script in the foreground as is).
#
# spawn-fcgi creates the UNIX socket, gives it to the web server's group,
# drops root, and passes the socket to the program on fd 0 (the FastCGI
# convention).  One process serves every request with its worker threads:
# do not ask spawn-fcgi for several children (-F), raise [server] threads.
#
# Settings come from the environment, with Debian's defaults:
#   RP_FCGI     the program              (/usr/sbin/richprofile-fcgi)
#   RP_CONF     its configuration        (/etc/richprofile/richprofile.conf)
#   RP_SOCKET   the socket to create     (/run/richprofile/richprofile.sock)
#   RP_USER     user to run as, if started as root    (richprofile)
#   RP_GROUP    its group                             (richprofile)
#   RP_SOCKET_GROUP  group owning the socket: the web server's (www-data)
#   RP_PIDFILE  with RP_DAEMON=1: where spawn-fcgi writes the pid
#   RP_DAEMON   1: fork into the background; default: stay in the
#               foreground (what supervisors expect)
# Reload the configuration with `kill -HUP PID`, stop with `kill PID`.
set -eu

fcgi=${RP_FCGI:-/usr/sbin/richprofile-fcgi}
conf=${RP_CONF:-/etc/richprofile/richprofile.conf}
sock=${RP_SOCKET:-/run/richprofile/richprofile.sock}

# Refuse to start on a broken configuration, with the reason on stderr.
"$fcgi" -t -c "$conf" >/dev/null

mkdir -p "$(dirname "$sock")"
set -- -s "$sock" -M 0660
if [ "$(id -u)" -eq 0 ]; then
	set -- "$@" -u "${RP_USER:-richprofile}" -g "${RP_GROUP:-richprofile}" \
		-U "${RP_USER:-richprofile}" -G "${RP_SOCKET_GROUP:-www-data}"
elif [ -n "${RP_SOCKET_GROUP:-}" ]; then
	set -- "$@" -G "$RP_SOCKET_GROUP"
fi
if [ "${RP_DAEMON:-0}" = 1 ]; then
	set -- "$@" ${RP_PIDFILE:+-P "$RP_PIDFILE"}
else
	set -- "$@" -n
fi
exec spawn-fcgi "$@" -- "$fcgi" -c "$conf"
