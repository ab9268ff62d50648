# vim: set fileencoding=utf-8 :
revision = 'ok'
down_revision = None
