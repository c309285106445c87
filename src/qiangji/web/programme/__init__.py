"""Programme goals, alerts and the city–county training-assistance programme (label ``programme``).

* Goals are data (:class:`models.Goal`: metric name, target, deadline, scope); :mod:`metrics` maps metric
  names to functions that compute a value from the registry as of a date; :mod:`progress` gives progress,
  the quarterly trajectory, a projection to the deadline and the gap per institution.
* :mod:`alerts` computes reminders as of any date (expiring certificates and registrations, missing
  re-examination applications, overdue rectifications, training and comparison deadlines); ``qiangji
  alerts`` prints them and optionally sends them by email (off by default).
* Training: needs per institution and year → :func:`qiangji.core.planning.plan_training` → an editable
  plan → adopted sessions → sign-up, attendance, hours, exam scores → indicator D3.3.
"""
