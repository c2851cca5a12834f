"""councilx extractors: PDF -> layout -> tables -> typed records, one module per stage."""
