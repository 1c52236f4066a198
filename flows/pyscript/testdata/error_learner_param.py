import eddy

ok = eddy.learner("ftrl", {"alpha": 0.1})
bad = eddy.learner("ftrl", {"alpha": -1})
