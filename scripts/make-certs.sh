#!/usr/bin/env bash
# A development CA, broker certificates (SANs: the service name, localhost, 127.0.0.1) and a client
# certificate, for compose/security.yml. Usage: scripts/make-certs.sh [DIR] (default compose/certs).
# Rotation: scripts/make-certs.sh DIR --rotate kafka-N issues that broker a new certificate from the same CA
# (same subject and SANs, as Kafka's dynamic keystore update demands) into DIR/kafka-N/keystore-SERIAL.pem
# and certificate-SERIAL.pem, leaves the rest alone and prints `rotated kafka-N serial=SERIAL`.
# Keys are unencrypted PKCS#8 PEM (Kafka's PEM keystores read them without a password file); they are
# for a development cluster only and stay out of git (.gitignore).
set -euo pipefail
dir=${1:-compose/certs}
rotate=
if [ "${2:-}" = --rotate ]; then
  rotate=${3:?--rotate needs a broker service name}
  case "$rotate" in kafka-[0-9]*) ;; *) echo "--rotate: not a broker service: $rotate" >&2; exit 2 ;; esac
fi
days=${CERT_DAYS:-365}
brokers=${BROKERS:-"kafka-1 kafka-2 kafka-3"}
command -v openssl > /dev/null || { echo "make certs needs openssl (apt-get install openssl)" >&2; exit 2; }
mkdir -p "$dir"
cd "$dir"

if [ ! -f ca.pem ] || [ ! -f ca.key ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days "$days" \
    -subj "/CN=kafka-bdd development CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2> /dev/null
fi

# sign NAME SUBJECT SAN EXTENDED_KEY_USAGE: NAME.key and NAME.pem signed by the CA.
sign() {
  local name=$1 subject=$2 san=$3 usage=$4
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subject" 2> /dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nkeyUsage=critical,digitalSignature,keyEncipherment\n' \
    "$san" "$usage" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" \
    -days "$days" -extfile "$name.ext" 2> /dev/null
  rm -f "$name.csr" "$name.ext"
}

if [ -n "$rotate" ]; then
  [ -f ca.pem ] && [ -f ca.key ] && [ -d "$rotate" ] \
    || { echo "--rotate needs the CA and $rotate/ from an earlier run of make certs in $dir" >&2; exit 2; }
  sign "$rotate" "/CN=$rotate" "DNS:$rotate,DNS:localhost,IP:127.0.0.1" "serverAuth,clientAuth"
  openssl verify -CAfile ca.pem "$rotate.pem" > /dev/null
  serial=$(openssl x509 -in "$rotate.pem" -noout -serial | cut -d= -f2)
  # A new file name per certificate: the broker reloads a keystore whose configured location changed.
  cat "$rotate.key" "$rotate.pem" ca.pem > "$rotate/keystore-$serial.pem"
  chmod 644 "$rotate/keystore-$serial.pem"
  mv "$rotate.pem" "$rotate/certificate-$serial.pem"
  rm -f "$rotate.key"
  echo "rotated $rotate serial=$serial"
  exit 0
fi

for broker in $brokers; do
  sign "$broker" "/CN=$broker" "DNS:$broker,DNS:localhost,IP:127.0.0.1" "serverAuth,clientAuth"
  mkdir -p "$broker"
  # Kafka's PEM keystore: the private key, then the certificate chain.
  cat "$broker.key" "$broker.pem" ca.pem > "$broker/keystore.pem"
  cp ca.pem "$broker/ca.pem"
  rm -f "$broker.key"
  mv "$broker.pem" "$broker/certificate.pem"
  # The broker runs as an unprivileged user in its container: a development key must be readable there.
  chmod 644 "$broker/keystore.pem"
done
sign client "/CN=kafka-bdd-client" "DNS:kafka-bdd-client" "clientAuth"
chmod 600 client.key ca.key

for f in ca.pem client.pem $(for b in $brokers; do echo "$b/certificate.pem"; done); do
  openssl verify -CAfile ca.pem "$f" > /dev/null
  printf '%-24s %s\n' "$f" "$(openssl x509 -in "$f" -noout -enddate)"
done
