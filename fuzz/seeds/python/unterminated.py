revision = 'a'
down_revision = 'abc
