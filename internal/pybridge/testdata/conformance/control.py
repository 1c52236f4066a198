# Functions, loops, generators, classes and builtin exceptions.
def fib(n):
    a, b = 0, 1
    out = []
    while len(out) < n:
        out.append(a)
        a, b = b, a + b
    return out
print(fib(10))

def gen(n):
    for i in range(n):
        yield i * 10
print(list(gen(3)))

def outer():
    k = 5
    def inner(v):
        return v + k
    return inner(1)
print(outer())

def kw(a, b=2, *rest, **opts):
    return [a, b, list(rest), sorted(opts.keys())]
print(kw(1), kw(1, 3, 4, 5, z=1))

class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def norm2(self):
        return self.x * self.x + self.y * self.y
p = Point(3, 4)
print(p.norm2(), p.x)

try:
    1 / 0
except ZeroDivisionError as e:
    print("caught", e)
try:
    {}["missing"]
except KeyError:
    print("key error")
finally:
    print("finally")
for i in range(3):
    if i == 1:
        continue
    print("loop", i)
else:
    print("no break")
