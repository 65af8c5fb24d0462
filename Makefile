# Two commands do everything on a fresh machine: `make book` builds the book, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
# nbgrader shells out to `alembic` and notebooks run on the venv's kernel: the venv's bin/ comes first.
export PATH := $(BIN):$(PATH)
# Progress bars are for people at a screen; builds and test logs stay clean.
export DLBOOK_PROGRESS := 0
ASSIGNMENTS := $(notdir $(wildcard solutions/*))

.PHONY: install book test release bench clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

book: $(STAMP)
	jupyter-book build . --warningiserror --keep-going
	@echo
	@echo "The book is at $(CURDIR)/_build/html/index.html"
	@echo "Open that file in a browser, or serve it: $(BIN)/python -m http.server --directory _build/html 8000"

test: $(STAMP)
	pytest

# Regenerate every student version in exercises/ from its source in solutions/.
release: $(STAMP)
	for a in $(ASSIGNMENTS); do nbgrader generate_assignment "$$a" --force || exit 1; done

bench: $(STAMP)
	python bench/benchmark.py

clean:
	rm -rf _build gradebook.db .pytest_cache
