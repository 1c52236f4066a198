import eddy
t = eddy.generate(rows=20)
lr = eddy.stage("logistic_regression", features_col="nope")
m = lr.fit(t)
