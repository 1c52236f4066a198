# Each line shows a limit of gpython v0.2.0 (see doc.go); if one stops
# failing after an upgrade, this golden file changes.
def attempt(label, fn):
    try:
        print(label, "->", fn())
    except Exception as e:
        print(label, "fails:", repr(e))

attempt("str.format", lambda: "{}".format(1))
attempt("str.join", lambda: ",".join(["a"]))
attempt("str.upper", lambda: "a".upper())
attempt("str.lower", lambda: "A".lower())
attempt("int dict key", lambda: {1: 2})
def adder(n):
    def f(x):
        return x + n
    return f
attempt("closure over a parameter", lambda: adder(1)(2))
attempt("round(2.567, 2)", lambda: round(2.567, 2))
attempt("round(3.7)", lambda: round(3.7))
attempt("import json", lambda: __import__("json"))
attempt("import re", lambda: __import__("re"))
attempt("import random", lambda: __import__("random"))
attempt("import collections", lambda: __import__("collections"))
attempt("super", lambda: super)
attempt("property", lambda: property)
class A:
    pass
class B(A):
    pass
attempt("isinstance(B(), A)", lambda: isinstance(B(), A))
attempt("sorting tuples", lambda: sorted([(2, 1), (1, 2)]))
attempt("list.index", lambda: [1].index(1))
attempt("reversed", lambda: reversed([1]))
attempt("type(e).__name__", lambda: type(ValueError("x")).__name__)
attempt("1e308 * 10", lambda: 1e308 * 10)
attempt("float('nan')", lambda: float("nan"))
