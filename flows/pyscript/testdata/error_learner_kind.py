import eddy

def make(kind):
    return eddy.learner(kind, alpha=0.1)

ok = make("ftrl")
bad = make("frtl")
