"""Date formats for staff pages: day first, as written in Pakistan (see core/dates.py)."""
