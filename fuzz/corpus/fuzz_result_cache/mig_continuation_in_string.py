a.py
revision = 'a\
b'
down_revision = '''x
y'''
