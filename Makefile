# Every target is a thin name for a go command; the README documents them.
SHARED ?= ../shared

.PHONY: soak fuzz run test spec requirements mutation bench bench-go build vet serve

run: ## run the suite against the embedded mocks
	go run ./cmd/seamconform run

test: ## run every test: unit tests, the suite on mocks and over HTTP, the fault gallery
	go test ./...

build: ## the command, its version from git (seamconform --version)
	go build -ldflags "-X main.version=$$(git describe --tags --always --dirty 2>/dev/null || echo devel)" -o seamconform ./cmd/seamconform

serve: ## serve the reference implementation on a loopback port
	go run ./cmd/seamconform serve

spec: ## re-prepare the embedded contract from Seam's published document
	go run ./cmd/seamconform spec prepare -o spec/seam-connect.openapi.json.gz $(SHARED)/spec/seam-connect.openapi.json

requirements: ## regenerate REQUIREMENTS.md from the registered specs
	go run ./cmd/seamconform requirements --markdown > REQUIREMENTS.md

mutation: ## run the suite against every named fault and print the score
	go test ./cmd/seamconform -run TestFaultGallery -count=1 -v | grep -Ev '^[[:space:]]*(=== |--- PASS)'

soak: ## 64 clients create, get and delete through serve for 10 s: consistency, contract, flat memory
	SEAMCONFORM_SOAK=10s go test ./cmd/seamconform -run 'TestServeSoak$$' -count=1 -v

# Go 1.26's fuzz coordinator can fail a target with a bare "context deadline
# exceeded" when -fuzztime ends during an input (golang/go#75804, fixed in
# 1.27): with no failing input written, that is no finding.
fuzz: ## run each fuzz target for 20 s (FUZZTIME=1m for longer)
	for t in FuzzHandler:./reference FuzzErrorEnvelope:./reference FuzzBearerToken:./spec FuzzUUIDPattern:./spec FuzzMembers:./spec FuzzDecodeJSON:./spec FuzzFastBody:./spec FuzzFastAnswer:./spec FuzzRedact:./suites/framework; do \
		out=$$(go test $${t#*:} -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime=$${FUZZTIME:-20s} 2>&1); rc=$$?; \
		if [ $$rc -eq 0 ]; then echo "$$out" | tail -1; \
		elif echo "$$out" | grep -q 'context deadline exceeded' && ! echo "$$out" | grep -q 'Failing input written'; then \
			echo "$${t%%:*}: no finding (Go 1.26 stopped the fuzzer late, golang/go#75804)"; \
		else echo "$$out"; exit 1; fi; done

bench: bench-go ## Go benchmarks, then the side-by-side table (suite wall time, serve vs Prism vs ceiling, start-up)
	go run ./cmd/seambench

bench-go: ## Go benchmarks only: ns/op and allocs/op of validation, the handler, building a run
	go test ./... -run '^$$' -bench . -benchmem

vet: ## gofmt (failing on any file it lists, as .ci/run does) and go vet
	@files=$$(gofmt -l .); if [ -n "$$files" ]; then echo "gofmt wants: $$files"; exit 1; fi
	go vet ./...
