revision = 'a'
