"""Only the optional C part of the PDFium layout reader; everything else is in pyproject.toml.

`optional=True`: on a machine with no C compiler the install still succeeds and the reader runs
its pure-Python loop (same results, slower).
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("extractors.layout._pdfium_scan", ["extractors/layout/_pdfium_scan.c"],
                             optional=True, extra_compile_args=["-O2", "-ffp-contract=off"])])
