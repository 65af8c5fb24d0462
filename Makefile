# Two commands do everything on a fresh machine: `make book` builds the book, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
# nbgrader shells out to `alembic` and notebooks run on the venv's kernel: the venv's bin/ comes first.
export PATH := $(BIN):$(PATH)
# Progress bars are for people at a screen; builds and test logs stay clean.
export DLBOOK_PROGRESS := 0
# One torch/BLAS thread per process: the book's models are small, and on a machine that is also busy two
# threads per kernel spin at every parallel region (a training loop ran 20 times slower beside a CPU hog).
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: install system book test release bench clean

install: system $(STAMP)

# Debian packages: bubblewrap sandboxes the kernels that grade submissions (dlbook grade); chromium runs the
# browser tests of the book. Installed with apt-get when missing and possible (root, or sudo without a
# password); elsewhere install them yourself: grading then runs without the sandbox and says so.
DEBS := $(if $(shell command -v bwrap),,bubblewrap) $(if $(wildcard /usr/bin/chromium),,chromium)
system:
	@[ -z "$(strip $(DEBS))" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then SUDO=; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages: $(DEBS)"; export DEBIAN_FRONTEND=noninteractive; \
	    $$SUDO apt-get install -y -qq $(DEBS) >/dev/null 2>&1 || \
	    { $$SUDO apt-get update -qq >/dev/null && $$SUDO apt-get install -y -qq $(DEBS) >/dev/null; }; \
	  else echo "note: install the Debian packages $(DEBS) (apt-get install $(DEBS))"; fi; }

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

test: system $(STAMP)
	pytest

# Regenerate every student version in exercises/ from its source in solutions/.
release: $(STAMP)
	dlbook release

bench: $(STAMP)
	python bench/benchmark.py
	python bench/benchmark.py --grading 40

clean:
	rm -rf _build gradebook.db .pytest_cache
