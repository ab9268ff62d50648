031_add_table.py
# just a comment