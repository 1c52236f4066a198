# json is not available in gpython: eddy.json_dumps / json_loads.
import eddy
s = eddy.json_dumps({"b": [1, 2.5, None, True], "a": "x"})
print(s)
v = eddy.json_loads('{"n": 3, "f": 1.5, "l": [1, "two"], "o": {"k": null}}')
print(v["n"], v["f"], v["l"], v["o"]["k"])
print(eddy.json_loads("[1, 2]")[1] + 1)
