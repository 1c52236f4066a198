# Lists, tuples, dicts with string keys, sets, comprehensions.
xs = [3, 1, 2]
xs.append(4)
print(sorted(xs), len(xs), xs[1:3], xs[::-1])
t = (1, "a", 2.5)
a, b, c = t
print(a, b, c, t[1], len(t))
d = {"x": 1, "y": 2}
d["z"] = 3
print(sorted(d.keys()), d.get("w", 0), "x" in d, len(d))
print(sorted([k + "=" + str(v) for k, v in d.items()]))
print([x * x for x in range(5) if x % 2 == 0])
dd = {str(i): i * 2 for i in range(3)}
print(sorted(dd.keys()), dd["2"])
print(list(zip([1, 2], ["a", "b"])), list(enumerate(["p", "q"])))
print(list(map(lambda v: v + 1, [1, 2])), list(filter(lambda v: v > 1, [1, 2, 3])))
s = set([1, 2, 2, 3])
print(len(s), 2 in s)
