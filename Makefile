# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help
GO_DIRS := cmd db internal static web

# DATABASE_URL if set, else the private cluster under .pg/ (started on demand).
DB = url="$${DATABASE_URL:-}"; [ -n "$$url" ] || url=$$(bash db/cluster.sh start) || exit 1; export DATABASE_URL="$$url"

.PHONY: help run test build bench generate check-generated fmt-check vet unit stop chromium clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

run: build ## start the app on http://localhost:8080 (private PostgreSQL and demo data unless DATABASE_URL is set)
	@$(DB); ./bin/crm seed --demo && ./bin/crm serve

build: ## build bin/crm
	CGO_ENABLED=0 go build -trimpath -o bin/crm ./cmd/crm

test: chromium fmt-check vet check-generated ## everything: format, vet, sqlc drift, all tests (browser tests included)
	@$(DB); go test -count=1 ./...

unit: ## go test ./... without the checks (DATABASE_URL or the private cluster)
	@$(DB); go test -count=1 $(or $(PKG),./...)

# The private cluster's databases crm_bench_N hold each scale's load, reused by later runs.
bench: build ## measure every page under load at BENCH_SCALE contacts (default 100000; see README)
	@url="$${DATABASE_URL:-}"; if [ -z "$$url" ]; then export BENCH_CLUSTER_URL=$$(bash db/cluster.sh start) || exit 1; fi; \
		go run ./cmd/bench

stop: ## stop the private PostgreSQL cluster
	@bash db/cluster.sh stop

generate: ## regenerate db/store from queries/ and the migrations
	go tool sqlc generate

check-generated: ## fail when db/store differs from what queries/ and the migrations generate
	@go tool sqlc diff || { echo "db/store is out of date: run 'make generate' and commit the result"; exit 1; }
	@go tool sqlc vet

fmt-check:
	@out=$$(gofmt -l $(GO_DIRS)); if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...
	@bash static/vendor.sh --check >/dev/null

# Browser tests drive Debian's Chromium. Installed here when missing and we may (root with apt).
chromium:
	@if ! command -v chromium >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Chromium missing: installing it with apt-get"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
		else \
			echo "Chromium is needed for the browser tests. Install it with:"; \
			echo "  sudo apt-get install -y --no-install-recommends chromium"; exit 1; \
		fi; \
	fi

clean: ## remove build output (the private cluster stays; see make stop)
	rm -rf bin
