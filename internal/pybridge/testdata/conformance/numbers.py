# Integers are arbitrary precision; floats are float64.
import eddy
import math
print(7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** 10, 1 / 2, 7.0 // 2)
print(2 ** 100, int("12"), float("2.5"), int(3.9), abs(-4))
print(divmod(17, 5), pow(2, 8), min(3, 1, 2), max([1, 5, 2]), sum([1, 2, 3]))
print(math.sqrt(16.0), math.floor(2.7), math.exp(0.0), math.pi)
print(eddy.round(2.567, 2), eddy.round(2.675, 2), eddy.round(2.5), eddy.round(3.5), eddy.round(-0.5))
print(eddy.round(1234, -2), eddy.round(7, 1), eddy.round(1.25, 1), eddy.round(0.1 + 0.2, 10))
print(1e300 * 1e10, 0.1 + 0.2 == 0.3, 3 == 3.0, True + 1)
