# councilx — every target sets up .venv on first use and reuses it after.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SHARED  ?= ../shared
OUT     ?= outputs
WORKERS ?= 1
LAYOUT  ?= pdfium

.PHONY: run test browser eval bench nightly clean

$(STAMP): pyproject.toml constraints.txt setup.py extractors/layout/_pdfium_scan.c
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/councilx run samples --out $(OUT) --workers $(WORKERS)

# The review page is tested in Debian's chromium: installed here when missing and apt-get can (as root);
# never fails the build (without it the browser tests skip, saying why).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    { apt-get install -y -q chromium >/dev/null 2>&1 || \
	      { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }; } ; } || \
	  echo "chromium not installed: the browser tests will skip"

test: $(STAMP) browser
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
	rm -rf build $(OUT)/*.csv $(OUT)/*.parquet $(OUT)/*.xlsx $(OUT)/*.html $(OUT)/review
