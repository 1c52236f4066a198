package fastfloat

import "math"

// float64pow10 holds the powers of ten that are exact in a float64.
var float64pow10 = [...]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	1e20, 1e21, 1e22,
}

// Float parses the longest decimal number at d[i:] (sign, digits,
// optional fraction, optional exponent) and returns its value and the index
// just past it. ok is false when the text is not a plain decimal or when the
// exact result cannot be had cheaply; the caller then falls back to
// strconv.ParseFloat. When ok is true the value is exactly what strconv.ParseFloat
// gives for d[i:j].
//
// The fast case is Clinger's: a mantissa w below 2^53 and a decimal exponent
// q with |q| <= 22 are both exact in a float64, so w*10^q (or w/10^-q) is one
// correctly rounded IEEE operation (W. D. Clinger, "How to read floating
// point numbers accurately", PLDI 1990). It covers the numbers that CSV
// and JSON writers print (up to 15-16 significant digits, small exponents).
func Float(d []byte, i int) (v float64, j int, ok bool) {
	neg := false
	if i < len(d) && (d[i] == '-' || d[i] == '+') {
		neg = d[i] == '-'
		i++
	}
	// Up to 19 digits (leading zeros included) cannot overflow a uint64;
	// longer numbers go to strconv.
	var mant uint64
	start := i
	for ; i < len(d); i++ {
		c := d[i] - '0'
		if c > 9 {
			break
		}
		mant = mant*10 + uint64(c)
	}
	nd := i - start
	exp := 0
	if i < len(d) && d[i] == '.' {
		i++
		fs := i
		for ; i < len(d); i++ {
			c := d[i] - '0'
			if c > 9 {
				break
			}
			mant = mant*10 + uint64(c)
		}
		exp = fs - i
		nd += i - fs
	}
	if nd == 0 || nd > 19 {
		return 0, i, false
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		eneg := false
		if i < len(d) && (d[i] == '-' || d[i] == '+') {
			eneg = d[i] == '-'
			i++
		}
		e, ed := 0, 0
		for ; i < len(d); i++ {
			c := d[i] - '0'
			if c > 9 {
				break
			}
			if ed == 4 {
				return 0, i, false
			}
			e = e*10 + int(c)
			ed++
		}
		if ed == 0 {
			return 0, i, false
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if mant == 0 {
		if neg {
			return math.Copysign(0, -1), i, true
		}
		return 0, i, true
	}
	if mant>>53 != 0 || exp < -22 || exp > 22 {
		return 0, i, false
	}
	f := float64(mant)
	if exp < 0 {
		f /= float64pow10[-exp]
	} else {
		f *= float64pow10[exp]
	}
	if neg {
		f = -f
	}
	return f, i, true
}

// Int parses an optional sign and up to 18 digits at d[i:]. ok is false
// when there is no digit or there may be an overflow.
func Int(d []byte, i int) (v int64, j int, ok bool) {
	neg := false
	if i < len(d) && (d[i] == '-' || d[i] == '+') {
		neg = d[i] == '-'
		i++
	}
	start := i
	var u uint64
	for ; i < len(d); i++ {
		c := d[i] - '0'
		if c > 9 {
			break
		}
		u = u*10 + uint64(c)
	}
	n := i - start
	if n == 0 || n > 18 {
		return 0, i, false
	}
	if neg {
		return -int64(u), i, true
	}
	return int64(u), i, true
}
