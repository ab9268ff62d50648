revision = 'a'; down_revision = None; branch_labels = ('l1', 'l2',); depends_on = 'dep'
