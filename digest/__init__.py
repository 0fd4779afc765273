"""The weekly digest: compose (compose.py, chart.py), build (message.py), send (smtp.py,
send.py), review drafts (review.py) and schedule (schedule.py)."""
