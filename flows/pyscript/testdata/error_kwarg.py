import eddy
t = eddy.generate(rows=5, sead=1)
