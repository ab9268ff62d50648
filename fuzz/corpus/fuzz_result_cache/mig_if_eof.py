deadbeef.py
if x:
