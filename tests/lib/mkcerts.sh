#!/bin/sh
# mkcerts.sh DIR: a throw-away PKI for the TLS tests, made at test time
# (no private key is ever committed).  Writes into DIR:
#   ca.pem                      the test CA
#   server.pem, server.key      for 127.0.0.1 and localhost, signed by ca.pem
#   wronghost.pem, wronghost.key  signed by ca.pem, for wrong.invalid only
#   other-ca.pem                an unrelated CA
set -eu
dir=$1
cd "$dir"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj /CN=richprofile-test-ca
openssl req -x509 $ec -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=richprofile-other-ca
leaf() { # name subject-alt-names
	openssl req $ec -keyout "$1.key" -out "$1.csr" -subj "/CN=$1"
	printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$2" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
		-out "$1.pem" -days 2 -extfile "$1.ext"
}
leaf server "IP:127.0.0.1,DNS:localhost"
leaf wronghost "DNS:wrong.invalid"
