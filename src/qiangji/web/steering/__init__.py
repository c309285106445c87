"""Steering the programme (issue 19, points 3–5 and 7): the city capability map and the 差异化 plan, the
mandatory-verification duty list, cooperation and research pipeline, assistance actions with their effect,
and the three-year results report."""
