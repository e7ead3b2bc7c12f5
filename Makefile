# KafkaBDD — the two quick-start commands and a few helpers.
# Every target installs librdkafka-dev and libpq-dev first when they are missing (Debian/Ubuntu).

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
REPORTS ?= reports

.PHONY: deps build acceptance test bench-gherkin conformance up down up-mirror down-mirror compose-check clean certs \
	up-secure postgres postgres-stop compose-v2 up-mm2

deps:
	@pkg-config --exists rdkafka 2>/dev/null && [ -f /usr/include/librdkafka/rdkafka_mock.h ] || { \
	  echo "installing librdkafka-dev (apt-get)…"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librdkafka-dev pkg-config; }
	@pkg-config --exists libpq 2>/dev/null || { \
	  echo "installing libpq-dev (apt-get)…"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpq-dev pkg-config; }

build: deps
	$(SWIFT) build

# The main job: the acceptance suite on the embedded cluster, with reports; four scenarios at a time, each on
# its own embedded cluster (the README's soak: the same verdicts as one at a time, beside a saturated core).
acceptance: build postgres
	@mkdir -p $(REPORTS)
	.build/debug/kafka-bdd run Features --parallel 4 --format progress \
	  --report html:$(REPORTS)/index.html --report junit:$(REPORTS)/junit.xml \
	  --report message:$(REPORTS)/messages.ndjson --report json:$(REPORTS)/cucumber.json --report rerun:$(REPORTS)/rerun.txt
	@echo "reports: $(REPORTS)/index.html $(REPORTS)/junit.xml"

test: deps postgres
	$(SWIFT) test

# Parser speed against the official Python parser (pip install gherkin-official).
bench-gherkin: deps
	$(SWIFT) build -c release
	python3 scripts/bench/gherkin_vs_python.py

# The official Gherkin testdata through the CLI (needs ../shared), then our regression fixtures.
conformance: build
	python3 ../shared/tools/check_gherkin.py --testdata ../shared/conformance/gherkin --include-md --strict-errors \
	  --cmd '.build/debug/kafka-bdd pickles --ast {file}'
	python3 ../shared/tools/check_gherkin.py --testdata Tests/GherkinTests/Fixtures --strict-errors \
	  --cmd '.build/debug/kafka-bdd pickles --ast {file}'

# Every profile of docker-compose.yml: `down` without a profile leaves that profile's containers running.
PROFILES := --profile mirror --profile mm2

# The real 3-broker cluster for --cluster compose (needs a Docker engine with the Compose v2 plugin).
up: compose-v2
	docker compose -f docker-compose.yml up -d --wait

down: compose-v2
	docker compose -f docker-compose.yml $(PROFILES) down -v

# With KAF-10's second cluster "west" (the `mirror` profile).
up-mirror: compose-v2
	docker compose -f docker-compose.yml --profile mirror up -d --wait

down-mirror: compose-v2
	docker compose -f docker-compose.yml $(PROFILES) down -v

# MirrorMaker 2 from this cluster to west (profile `mm2`), to compare with the suite's mirror; not while KAF-10 runs.
up-mm2: compose-v2
	docker compose -f docker-compose.yml --profile mirror --profile mm2 up -d --wait

# `up --wait` and profiles need Compose v2 (docker-ce's docker-compose-plugin, Docker Desktop); Debian's
# docker.io has no `docker compose`, and its docker-compose 1.29 no --wait.
compose-v2:
	@docker compose version > /dev/null 2>&1 || { \
	  echo "make: this needs Docker Engine with the Compose v2 plugin ('docker compose'); Debian's docker.io and" \
	       "docker-compose 1.x lack it: install docker-ce and docker-compose-plugin (docs.docker.com/engine/install)," \
	       "or Docker Desktop" >&2; exit 1; }

# KAF-11: a development CA, broker and client certificates (openssl) in compose/certs/.
certs:
	bash scripts/make-certs.sh compose/certs

# The cluster with the secured listeners of compose/security.yml; run the suite with KAFKA_BDD_SECURE=1.
up-secure: certs compose-v2
	docker compose -f docker-compose.yml -f compose/security.yml up -d --wait

# The capstone's database: a throwaway PostgreSQL (wal_level=logical) on the unix socket
# /tmp/kafka-bdd-postgres, the default of KAFKA_BDD_POSTGRES; installs Debian's postgresql when missing.
postgres:
	bash scripts/postgres.sh start

postgres-stop:
	bash scripts/postgres.sh stop

# Validates docker-compose.yml without an engine (Debian's docker-compose package).
compose-check:
	docker-compose -f docker-compose.yml config -q
	docker-compose -f docker-compose.yml -f compose/security.yml config -q

clean:
	rm -rf .build $(REPORTS)
