import eddy

def build(n):
    return eddy.stage("logistic_regression", {"max_iter": n})

ok = build(10)
bad = build("ten")
