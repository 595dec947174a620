"""What a person reads: terminal tables (``table.py``), charts (``chart.py``, with
what they mark in ``chart_marks.py``), the HTML report (``report/``) and the
FOCUS export (``focus/``). Each takes values and writes text, images or rows;
none fetches.
"""
