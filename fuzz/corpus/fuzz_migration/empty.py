deadbeef.py
