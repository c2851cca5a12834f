"""`python -m schemas` prints the data dictionary as Markdown (the README section)."""
from schemas.contract import dictionary_markdown

print(dictionary_markdown(), end="")
