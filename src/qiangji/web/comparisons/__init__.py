"""Measurement comparisons (计量比对, JJF 1117) and skills competitions (计量大比武) in the web platform."""
