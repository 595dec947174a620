"""The client core: what ``HistoryClient`` needs to fetch, check and hand back a History.

``client.py`` and ``async_client.py`` only do I/O and waiting; the decisions
(settings, retries, page plans, page checks) are pure and shared from
``_base.py``, ``_config.py``, ``retry.py`` and ``pagination.py``. ``_api/`` is
the one package that imports the generated client. Nothing here is imported
eagerly: a read from a local store loads no httpx.
"""
