1975ea83b712.py
revision = 'a'
down_revision = get_down_revision(revision)
