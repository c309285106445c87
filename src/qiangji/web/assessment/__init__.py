"""Assessment periods, indicator values (derived from the registry or reported), supervision visits.

The one function the publication side calls is :func:`qiangji.web.assessment.inputs.build_inputs`.
"""
