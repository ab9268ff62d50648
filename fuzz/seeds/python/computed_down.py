revision = 'a'
down_revision = get_down_revision(revision)
