# Sourced by ci/foreign-broker.sh and ci/librdkafka-2.16.sh: a throwaway venv with pinned PyPI wheels, and
# the librdkafka of the confluent-kafka wheel linked as WORK/lib/librdkafka.so.1 (for LD_LIBRARY_PATH).
# The sourcing script defines `skip REASON` (say why, exit 0): a wheel that cannot be had skips its job.

# work_dir [DIR]: DIR made and made absolute, or a new temporary folder.
work_dir() {
  local w=${1:-$(mktemp -d)}
  mkdir -p "$w"
  (cd "$w" && pwd)
}

# venv_with WORK WHEEL...: sets $site, the venv's site-packages.
venv_with() {
  local work=$1
  shift
  if ! python3 -m venv "$work/venv" > "$work/venv.log" 2>&1; then
    apt-get install -y -qq python3-venv > /dev/null 2>&1 || true
    python3 -m venv "$work/venv" > "$work/venv.log" 2>&1 \
      || skip "python3 cannot make a venv ($(tail -n 1 "$work/venv.log"))"
  fi
  timeout 300 "$work/venv/bin/pip" install -q --disable-pip-version-check "$@" > "$work/pip.log" 2>&1 \
    || skip "pip could not install $* ($(tail -n 1 "$work/pip.log"))"
  site=$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
}

# wheel_librdkafka WORK (after venv_with with confluent-kafka): sets $rdkafka, the library's path.
wheel_librdkafka() {
  local work=$1
  rdkafka=$(find "$site/confluent_kafka.libs" -name 'librdkafka-*.so.1' 2> /dev/null | head -n 1)
  [ -n "$rdkafka" ] || skip "the confluent-kafka wheel has no confluent_kafka.libs/librdkafka-*.so.1"
  mkdir -p "$work/lib"
  ln -sf "$rdkafka" "$work/lib/librdkafka.so.1"
}
