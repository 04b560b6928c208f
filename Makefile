# LeadLedger — rules:
#   make run     set up, build, and run the system: `leadledger run` (serve + react + a sandbox AmoCRM) until Ctrl-C
#   make demo    fill a demo log in ./data with generated leads, then check-config, status, report, verify
#   make test    set up, build everything (warnings are errors), self-test the fake AmoCRM/Telegram, run every test,
#                then the chaos suite's short profile: the kill storm (serve and react SIGKILLed under load: nothing lost
#                or duplicated), the CRM fault matrix (each fault of the fake AmoCRM, then recovery), the Telegram
#                faults (alerts raised while Telegram fails arrive later, once) and the API contract check
#                (schemathesis against a real serve and schemas/openapi.yaml) and the front door under abuse (slow, idle
#                and too many connections against serve under a 1,024-descriptor limit); then 100,000 fuzz inputs
#   make fuzz    libFuzzer + AddressSanitizer over the ingest parser and the import reader (RUNS=1000000)
#   make chaos   the chaos suite (tools/chaos/); PROFILE=long for the long profile. It also turns the log's file
#                system read-only under a running serve (storage_faults.py: needs root and a loop device)
#   make openapi re-embed schemas/openapi.yaml into the binary (Sources/LedgerHTTP/OpenAPIDocument.swift)
#   make soak    release build, then serve at half its maximum rate for 2 minutes (SOAK=long: 30), open loop
#   make bench   release build, then the append/replay benchmarks, the wrk HTTP ingest benchmark, PostgreSQL group
#                commit against pgbench and the dashboard page benchmark (figures go to docs/BENCHMARKS.md by hand)
#   make screenshot  install chromium if missing, build, serve a freshly seeded demo log and take headless screenshots
#                of the dashboard (GET /) at 390x1600 and 1280x1000 into docs/dashboard-{phone,desktop}.png
#   make docs    rewrite the generated settings reference in docs/OPERATIONS.md (a test fails when it is stale)
#   make lint    swift-format lint (force-unwrap and force-try rules on in Sources)
#   make format  swift-format in place
#   make clean   remove build output and the demo log
#   make setup   install what a fresh Debian machine lacks (libsqlite3-dev, Python jsonschema for the schema tests,
#                schemathesis and openapi-spec-validator for the API contract check,
#                systemd-analyze for the unit files' test, node for the PM2 file's test, postgresql for the
#                PostgreSQL ledger's tests, which start a throwaway cluster with tools/pg/cluster.py)

SWIFT ?= swift
export LEADLEDGER_STRICT ?= 1
# The built binary, run without the build's own variable (check-config would flag it as an unknown setting).
LEADLEDGER := env -u LEADLEDGER_STRICT .build/debug/leadledger
DEMO_DB ?= ./data/demo.sqlite
DEMO_LEADS ?= 2000
SCREENSHOT_DB ?= ./data/screenshot.sqlite

PROFILE ?= ci

.PHONY: run run-postgres demo test bench lint format clean setup build screenshot docs chaos soak fuzz openapi

setup:
	@dpkg -s libsqlite3-dev >/dev/null 2>&1 || { \
		echo "installing libsqlite3-dev"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libsqlite3-dev; }
	@command -v systemd-analyze >/dev/null || { \
		echo "installing systemd (systemd-analyze verifies the units in tools/systemd/)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq systemd; }
	@command -v node >/dev/null || { \
		echo "installing nodejs (the PM2 file's test evaluates tools/pm2/ecosystem.config.js as PM2 would)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs; }
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null || { \
		echo "installing postgresql (tests run the PostgreSQL ledger against a real throwaway cluster)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; }
	@python3 -c 'import jsonschema' 2>/dev/null || { \
		echo "installing the jsonschema Python package"; \
		python3 -m pip install --quiet jsonschema || python3 -m pip install --quiet --break-system-packages jsonschema; }
	@python3 -c 'import schemathesis, openapi_spec_validator' 2>/dev/null || { \
		echo "installing schemathesis and openapi-spec-validator (the API contract check)"; \
		python3 -m pip install --quiet schemathesis openapi-spec-validator \
		|| python3 -m pip install --quiet --break-system-packages schemathesis openapi-spec-validator; }

build: setup
	$(SWIFT) build

test: build
	python3 tools/test_fakes.py
	python3 tools/grafana/check_grafana.py
	$(SWIFT) test
	python3 tools/chaos/kill_storm.py --bin .build/debug --profile ci
	python3 tools/chaos/kill_storm.py --bin .build/debug --profile ci --postgres
	python3 tools/chaos/crm_faults.py --bin .build/debug --profile ci
	python3 tools/chaos/crm_faults.py --bin .build/debug --profile ci --postgres
	python3 tools/chaos/telegram_faults.py --bin .build/debug --profile ci
	python3 tools/chaos/api_contract.py --bin .build/debug --profile ci
	python3 tools/chaos/front_door.py --bin .build/debug --profile ci
	RUNS=100000 tools/fuzz/run.sh

# The chaos suite against the real binaries; PROFILE=long for the hand-run profile (minutes, not seconds).
chaos: build
	python3 tools/chaos/kill_storm.py --bin .build/debug --profile $(PROFILE)
	python3 tools/chaos/kill_storm.py --bin .build/debug --profile $(PROFILE) --postgres
	python3 tools/chaos/crm_faults.py --bin .build/debug --profile $(PROFILE)
	python3 tools/chaos/crm_faults.py --bin .build/debug --profile $(PROFILE) --postgres
	python3 tools/chaos/telegram_faults.py --bin .build/debug --profile $(PROFILE)
	python3 tools/chaos/api_contract.py --bin .build/debug --profile $(PROFILE)
	python3 tools/chaos/front_door.py --bin .build/debug --profile $(PROFILE)
	python3 tools/chaos/storage_faults.py --bin .build/debug --profile $(PROFILE)

# libFuzzer over the ingest parser and the import reader (tools/fuzz); RUNS inputs (make test runs 100000).
RUNS ?= 1000000
fuzz: setup
	RUNS=$(RUNS) tools/fuzz/run.sh

# GET /openapi.yaml serves schemas/openapi.yaml from the binary alone: after editing the YAML, re-embed it (a test
# fails while the served document differs from the file).
openapi:
	python3 tools/openapi_embed.py

# serve under half its measured maximum rate, open loop, recording RSS, descriptors and p99 every 10 s (release
# build). SOAK=long for 30 minutes.
SOAK ?= short
soak: setup
	$(SWIFT) build -c release
	python3 tools/chaos/soak.py --bin .build/release --profile $(SOAK)

run: build
	@mkdir -p data
	$(LEADLEDGER) check-config
	$(LEADLEDGER) run

# The same system on a local PostgreSQL kept in data/postgres (made on first use, its data kept between runs); this
# host's read models and status files go to data/ as postgres-ledger.*. The server stops when `run` does.
run-postgres: build
	@mkdir -p data && chmod 755 data
	@URL=$$(python3 tools/pg/cluster.py up --dir data/postgres) || exit 1; \
		trap 'python3 tools/pg/cluster.py down --dir data/postgres' EXIT INT TERM; \
		echo "PostgreSQL: $${URL%%:*}://postgres@$${URL#*@}"; \
		LEADLEDGER_DB="$$URL" LEADLEDGER_STATE_DIR=data $(LEADLEDGER) check-config && \
		LEADLEDGER_DB="$$URL" LEADLEDGER_STATE_DIR=data $(LEADLEDGER) run

demo: build
	@test -f $(DEMO_DB) || $(SWIFT) run -q leadledger-bench seed --db $(DEMO_DB) --leads $(DEMO_LEADS)
	LEADLEDGER_DB=$(DEMO_DB) $(LEADLEDGER) check-config
	LEADLEDGER_DB=$(DEMO_DB) $(LEADLEDGER) status
	LEADLEDGER_DB=$(DEMO_DB) $(LEADLEDGER) report
	LEADLEDGER_DB=$(DEMO_DB) $(LEADLEDGER) verify

bench: setup
	@command -v wrk >/dev/null || { \
		echo "installing wrk"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }
	$(SWIFT) build -c release
	.build/release/leadledger-bench run
	tools/bench/http_ingest.sh .build/release
	python3 tools/bench/backlog_drain.py .build/release
	python3 tools/bench/reconcile_calls.py .build/release
	python3 tools/bench/pg_ingest.py .build/release
	python3 tools/bench/pg_http_ingest.py .build/release
	tools/bench/dashboard_page.sh .build/release

# A fresh log each time, its 2,000 leads spread over the last 23 hours so the 24-hour charts are full; the generator
# leaves some leads dead-lettered and raises an alert per 400 leads, so every part of the page shows.
screenshot: build
	@command -v chromium >/dev/null || { \
		echo "installing chromium"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
	@mkdir -p data
	rm -f $(SCREENSHOT_DB) $(SCREENSHOT_DB)-wal $(SCREENSHOT_DB)-shm $(SCREENSHOT_DB).*
	.build/debug/leadledger-bench seed --db $(SCREENSHOT_DB) --leads 2000 --span-hours 23
	tools/dashboard_screenshot.sh .build/debug $(SCREENSHOT_DB) docs

docs: build
	python3 tools/update_docs.py .build/debug/leadledger

lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift

format:
	$(SWIFT) format format -i -r Sources Tests Package.swift

clean:
	rm -rf .build .build-* $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(SCREENSHOT_DB) $(SCREENSHOT_DB)-wal $(SCREENSHOT_DB)-shm
