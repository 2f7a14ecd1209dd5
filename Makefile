# The two set-up commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test typecheck install snapshots docs bench fuzz clean

$(BIN)/sigcheck: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/sigcheck

# The examples have findings on purpose, so sigcheck exits 1; the demo explains the exit code
# instead of letting make print "Error 1 (ignored)", and fails only when sigcheck could not run.
demo: install
	@echo "$$ sigcheck check examples/"
	@$(BIN)/sigcheck check examples/; code=$$?; echo; \
	echo "(exit code $$code: 1 = findings at or above --fail-on, as these examples have on purpose; 0 = none; 2 = usage or internal error)"; \
	test $$code -ne 2

# mypy --strict on the whole package (pyproject's [tool.mypy]).
typecheck: install
	$(BIN)/mypy

test: install typecheck
	$(BIN)/python -m pytest

# A long fuzzing run: FUZZ_EXAMPLES inputs per property (random, unlike the short deterministic
# pass `make test` includes); prints how many inputs ran. A failure prints the input, shrunk.
FUZZ_EXAMPLES ?= 2000
fuzz: install
	SIGCHECK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/fuzz -q -p no:cacheprovider
	@cat tests/fuzz/.last-run.txt

snapshots: install
	$(BIN)/python scripts/update_snapshots.py

# What is derived from the code: the SARIF help texts from the rule pages (docs/rules/help.json), the
# rule catalogue from the rule modules (sigcheck/checks/catalogue.py) and the configuration's JSON
# Schema from its pydantic models (sigcheck/config_schema.json): run after editing one of those.
docs: install
	$(BIN)/python scripts/build_rule_catalogue.py
	$(BIN)/python scripts/gen_config_schema.py
	$(BIN)/python scripts/build_rule_help.py

bench: install
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
