"""The questions teams ask of a History, as pure functions over values.

``forecast.py`` (where the month will end), ``budgets.py`` (will it fit),
``compare.py`` (this period against the one before), ``anomalies.py`` (what is
unusual) and ``plan_check.py`` (does the history add up to the plan). None of
them fetches, reads the clock or prints: the caller passes ``now`` and a History
(or a client, for the ``check_*`` helpers that fetch what they need).
"""
