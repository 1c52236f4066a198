package vecmath

const (
	errLength = "vecmath: length mismatch"
	errShape  = "vecmath: matrix size is not len(dst)*len(x)"
)

// Dot returns x·y = Σ x_j y_j. It panics if the lengths differ.
func Dot(x, y []float64) float64 {
	if len(x) != len(y) {
		panic(errLength)
	}
	if len(x) == 0 {
		return 0
	}
	if useAsm {
		return dot1(&x[0], &y[0], len(x))
	}
	return dotGo(x, y)
}

// Dots sets dst[r] = x·m_r for each row m_r = m[r*len(x):(r+1)*len(x)]
// of the row-major matrix m; each dst[r] equals Dot(x, m_r). It panics if
// len(m) != len(dst)*len(x).
func Dots(dst, x, m []float64) {
	n := len(x)
	if len(m) != len(dst)*n {
		panic(errShape)
	}
	if n == 0 {
		clear(dst)
		return
	}
	if !useAsm {
		dotsGo(dst, x, m)
		return
	}
	r := 0
	for ; r+4 <= len(dst); r += 4 {
		dots4(&x[0], &m[r*n], &m[(r+1)*n], &m[(r+2)*n], &m[(r+3)*n], n, (*[4]float64)(dst[r:r+4]))
	}
	if len(dst)-r >= 2 {
		dots2(&x[0], &m[r*n], &m[(r+1)*n], n, (*[2]float64)(dst[r:r+2]))
		r += 2
	}
	if r < len(dst) {
		dst[r] = dot1(&x[0], &m[r*n], n)
	}
}

// SqDist returns ||x - y||² = Σ (x_j - y_j)². It panics if the lengths
// differ.
func SqDist(x, y []float64) float64 {
	if len(x) != len(y) {
		panic(errLength)
	}
	if len(x) == 0 {
		return 0
	}
	if useAsm {
		return sqDist1(&x[0], &y[0], len(x))
	}
	return sqDistGo(x, y)
}

// SqDists sets dst[r] = ||x - m_r||² for each row m_r =
// m[r*len(x):(r+1)*len(x)] of the row-major matrix m; each dst[r] equals
// SqDist(x, m_r). It panics if len(m) != len(dst)*len(x).
func SqDists(dst, x, m []float64) {
	n := len(x)
	if len(m) != len(dst)*n {
		panic(errShape)
	}
	if n == 0 {
		clear(dst)
		return
	}
	if !useAsm {
		sqDistsGo(dst, x, m)
		return
	}
	r := 0
	for ; r+4 <= len(dst); r += 4 {
		sqDists4(&x[0], &m[r*n], &m[(r+1)*n], &m[(r+2)*n], &m[(r+3)*n], n, (*[4]float64)(dst[r:r+4]))
	}
	if len(dst)-r >= 2 {
		sqDists2(&x[0], &m[r*n], &m[(r+1)*n], n, (*[2]float64)(dst[r:r+2]))
		r += 2
	}
	if r < len(dst) {
		dst[r] = sqDist1(&x[0], &m[r*n], n)
	}
}

// Add sets dst[j] += s[j]. It panics if the lengths differ.
func Add(dst, s []float64) {
	if len(dst) != len(s) {
		panic(errLength)
	}
	if len(s) == 0 {
		return
	}
	if useAsm {
		add(&dst[0], &s[0], len(s))
		return
	}
	addGo(dst, s)
}
