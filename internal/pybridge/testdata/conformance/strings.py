# Supported string operations, and the eddy helpers for the missing ones.
import eddy
s = "Hello, World"
print(len(s), s[0], s[-1], s[7:], s[:5])
print(s.split(", "), s.replace("World", "Eddy"), "  pad ".strip())
print(s.startswith("Hell"), s.endswith("d"), s.find("W"), "o" in s)
print("%s has %d chars, %.3f%%" % (s, len(s), 12.5))
print("ab" * 3, "a" + "b", str(42), str(2.5), repr("q"))
print(eddy.join("-", ["a", "b", "c"]), eddy.join("", []))
print(eddy.upper(s), eddy.lower(s))
print(eddy.format("{} + {} = {}", 1, 2.5, "x"))
print(eddy.format("{1} {0} {{literal}}", "a", "b"))
print(eddy.format("{:.2f}|{:5d}|{:>6s}|{:.1%}", 3.14159, 42, "ab", 0.256))
