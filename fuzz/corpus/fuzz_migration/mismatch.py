a.py
x = [1)
