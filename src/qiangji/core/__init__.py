"""Pure numerical core: standard library, numpy, pandas and scipy only. Never imports Django."""
