# councilx — every target sets up .venv on first use and reuses it after.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SHARED  ?= ../shared
OUT     ?= outputs
WORKERS ?= 1
LAYOUT  ?= pdfium

.PHONY: run test eval bench nightly clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/councilx run samples --out $(OUT) --workers $(WORKERS)

test: $(STAMP)
	$(BIN)/python -m pytest

eval: $(STAMP)
	rm -rf build/eval && $(BIN)/councilx run $(SHARED)/corpus --out build/eval --workers 2 -q --layout $(LAYOUT)
	$(BIN)/python $(SHARED)/eval/score.py --pred build/eval
	$(BIN)/python $(SHARED)/eval/score.py --phrases $(SHARED)/eval/phrases --cmd "$(BIN)/councilx normalise"

bench: $(STAMP)
	$(BIN)/python -m pipeline.bench --corpus $(SHARED)/corpus/kent

nightly: $(STAMP)
	$(BIN)/councilx ingest samples --store $(OUT)/store

clean:
	rm -rf build $(OUT)/*.csv $(OUT)/*.parquet $(OUT)/*.xlsx $(OUT)/*.html
