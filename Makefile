# The README's commands. Only Python 3.11+ and make are needed: everything else
# installs into .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.mlday-installed

.PHONY: setup demo test bench check-class clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -c 'import sys; sys.exit("mlday needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,jupyter,nbgrader,dask]"
	touch $(STAMP)

setup: $(STAMP)

# Grade the bundled demo class of exercise 01 and print the gradebook.
demo: setup
	$(BIN)/mlday grade solutions/demo_class --out demo-out --force --cell-timeout 10 --call-timeout 10
	@echo
	@cat demo-out/gradebook.csv

# The whole test suite, on every core (pytest-xdist). pytest's exit code 5 means no
# test ran: that is a failure here.
test: setup
	$(BIN)/python -m pytest -q -n auto; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	  exit $$rc

bench: setup
	$(BIN)/python benchmarks/run.py

# Grade a 40-learner class of the whole workbook uninterrupted, and again killed with
# SIGKILL halfway then resumed; the two must give the same results.
check-class: setup
	$(BIN)/python benchmarks/resume.py

clean:
	rm -rf $(VENV) demo-out mlday-grades
