#!/usr/bin/env bash
# Coverage-guided fuzzing of the ingest body parser and the import file reader with libFuzzer and
# AddressSanitizer: builds tools/fuzz (its own package, scratch .build-fuzz), then runs RUNS inputs (default 200000;
# make fuzz RUNS=10000000 by hand) starting from the committed corpus in tools/fuzz/corpus/ingest. New interesting
# inputs go to .build-fuzz/corpus (not committed); a crasher is written to tools/fuzz/crashers/ and fails the run —
# commit it and add it to the regression test (LedgerIngestTests/FuzzCrasherTests).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-200000}
swift build --package-path tools/fuzz --scratch-path .build-fuzz -c debug -Xswiftc -sanitize=fuzzer,address \
    --product IngestFuzzer 2>&1 | grep -v "^warning: 'swift-distributed-tracing'" | tail -3
mkdir -p .build-fuzz/corpus tools/fuzz/crashers
status=0
# Swift's own backtracer would run inside a crashing fuzz target and trip AddressSanitizer: libFuzzer reports instead.
SWIFT_BACKTRACE=enable=no .build-fuzz/debug/IngestFuzzer -runs="$RUNS" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=tools/fuzz/crashers/ .build-fuzz/corpus tools/fuzz/corpus/ingest >.build-fuzz/last-run.log 2>&1 \
    || status=$?
grep -E "DONE|stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|Test unit written" .build-fuzz/last-run.log \
    || tail -20 .build-fuzz/last-run.log
exit "$status"
