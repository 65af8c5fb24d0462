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

.PHONY: install system book test release bench gpu-check serve thebe clean

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

# Live code: the book at http://127.0.0.1:8000 and a Jupyter server for its pages' "Live code" button, both on
# this machine only (see dlbook/live.py). Stop both with Ctrl-C.
serve: $(STAMP)
	python -m dlbook.live

# Thebe, which runs the pages' code, is vendored in book/_static/thebe/ (committed: building and reading the book
# need no npm and no network). Maintainers refresh it from the npm registry with `make thebe` (needs npm).
THEBE := thebe-0.9.3.tgz 45bffb91586d95f7d7adade421eeceb88184edac2c9b6fdf196c70db50e235f9d62e751088397d016a9876c84fc193c6ff90f32e9b0944f8b1db1b423ed26641
THEBE_CORE := thebe-core-0.5.0.tgz 2c801bc92832a07f0f3e88cd3b04f09e31ed6b7df6097b6a54c3ed802df006e2241e4810a49619524586bd947e4faa648268c87a2fd690a305b55d63b2d5f058
thebe:
	rm -rf _build/npm book/_static/thebe && mkdir -p _build/npm book/_static/thebe
	cd _build/npm && npm pack --silent thebe@0.9.3 thebe-core@0.5.0 >/dev/null
	printf '%s  %s\n' $(word 2,$(THEBE)) $(word 1,$(THEBE)) $(word 2,$(THEBE_CORE)) $(word 1,$(THEBE_CORE)) | \
	  (cd _build/npm && sha512sum --check --quiet)
	tar -xzf _build/npm/$(word 1,$(THEBE)) -C book/_static/thebe --strip-components=2 --wildcards \
	  'package/lib/*.js' 'package/lib/*.LICENSE.txt' package/lib/thebe.css
	tar -xzf _build/npm/$(word 1,$(THEBE_CORE)) -C book/_static/thebe --strip-components=1 package/LICENSE
	echo "thebe@0.9.3 from the npm registry (make thebe); LICENSE: the BSD-3-Clause text of thebe-core@0.5.0, the same \
	project's package that thebe bundles (thebe's own package has no licence file)" > book/_static/thebe/SOURCE.txt
	du -sh book/_static/thebe

bench: $(STAMP)
	python bench/benchmark.py
	python bench/benchmark.py --grading 40

# Every chapter and assignment solution on the GPU (CUDA, else Apple MPS): fails on any error or on a notebook that
# allocated nothing there, and prints GPU and CPU times side by side. Without a GPU it says so and checks nothing.
gpu-check: $(STAMP)
	python bench/gpu_check.py

clean:
	rm -rf _build gradebook.db .pytest_cache
