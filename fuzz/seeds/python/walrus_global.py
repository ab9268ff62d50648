global revision
revision = 'a'
if (n := 10) > 5: pass
down_revision = None
