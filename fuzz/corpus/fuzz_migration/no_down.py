a.py
revision = 'a'
