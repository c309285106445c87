"""Monte-Carlo machinery of the uncertainty analysis: spec, replay, keyed streams, vectorised engine."""
