revision = 'a'
<<<<<<< HEAD
down_revision = 'b'
=======
down_revision = 'c'
>>>>>>> feature
