1975ea83b712.py
# vim: set fileencoding=utf-8 :
revision = 'ok'
down_revision = None
