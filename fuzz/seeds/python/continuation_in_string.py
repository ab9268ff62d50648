revision = 'a\
b'
down_revision = '''x
y'''
