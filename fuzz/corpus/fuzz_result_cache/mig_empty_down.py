a.py
revision = 'a'
down_revision = ''
