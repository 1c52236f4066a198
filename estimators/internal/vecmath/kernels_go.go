package vecmath

// The pure-Go kernels: four accumulators per dot product, combined as
// (s0+s1)+(s2+s3), two per squared distance; the multi-row kernels run two
// or four rows per pass over x with the same sums per row.

func dotGo(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+3 < len(x); j += 4 {
		s0 += x[j] * y[j]
		s1 += x[j+1] * y[j+1]
		s2 += x[j+2] * y[j+2]
		s3 += x[j+3] * y[j+3]
	}
	for ; j < len(x); j++ {
		s0 += x[j] * y[j]
	}
	return (s0 + s1) + (s2 + s3)
}

func dotsGo(dst, x, m []float64) {
	n := len(x)
	r := 0
	for ; r+1 < len(dst); r += 2 {
		dst[r], dst[r+1] = dot2Go(x, m[r*n:(r+1)*n], m[(r+1)*n:(r+2)*n])
	}
	if r < len(dst) {
		dst[r] = dotGo(x, m[r*n:(r+1)*n])
	}
}

// dot2Go is dotGo of x with c0 and with c1 in one pass over x.
func dot2Go(x, c0, c1 []float64) (float64, float64) {
	c0, c1 = c0[:len(x)], c1[:len(x)]
	var a0, a1, a2, a3, b0, b1, b2, b3 float64
	j := 0
	for ; j+3 < len(x); j += 4 {
		x0, x1, x2, x3 := x[j], x[j+1], x[j+2], x[j+3]
		a0 += x0 * c0[j]
		a1 += x1 * c0[j+1]
		a2 += x2 * c0[j+2]
		a3 += x3 * c0[j+3]
		b0 += x0 * c1[j]
		b1 += x1 * c1[j+1]
		b2 += x2 * c1[j+2]
		b3 += x3 * c1[j+3]
	}
	for ; j < len(x); j++ {
		a0 += x[j] * c0[j]
		b0 += x[j] * c1[j]
	}
	return (a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3)
}

func sqDistGo(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1 float64
	j := 0
	for ; j+1 < len(x); j += 2 {
		d0, d1 := x[j]-y[j], x[j+1]-y[j+1]
		s0 += d0 * d0
		s1 += d1 * d1
	}
	if j < len(x) {
		d := x[j] - y[j]
		s0 += d * d
	}
	return s0 + s1
}

func sqDistsGo(dst, x, m []float64) {
	n := len(x)
	r := 0
	for ; r+3 < len(dst); r += 4 {
		dst[r], dst[r+1], dst[r+2], dst[r+3] = sqDist4Go(x, m[r*n:(r+1)*n], m[(r+1)*n:(r+2)*n],
			m[(r+2)*n:(r+3)*n], m[(r+3)*n:(r+4)*n])
	}
	for ; r < len(dst); r++ {
		dst[r] = sqDistGo(x, m[r*n:(r+1)*n])
	}
}

// sqDist4Go is sqDistGo of x with each of b0..b3 in one pass over x.
func sqDist4Go(x, b0, b1, b2, b3 []float64) (float64, float64, float64, float64) {
	n := len(x)
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	var p0, q0, p1, q1, p2, q2, p3, q3 float64
	j := 0
	for ; j+1 < n; j += 2 {
		x0, x1 := x[j], x[j+1]
		d := x0 - b0[j]
		e := x1 - b0[j+1]
		p0 += d * d
		q0 += e * e
		d = x0 - b1[j]
		e = x1 - b1[j+1]
		p1 += d * d
		q1 += e * e
		d = x0 - b2[j]
		e = x1 - b2[j+1]
		p2 += d * d
		q2 += e * e
		d = x0 - b3[j]
		e = x1 - b3[j+1]
		p3 += d * d
		q3 += e * e
	}
	if j < n {
		v := x[j]
		d := v - b0[j]
		p0 += d * d
		d = v - b1[j]
		p1 += d * d
		d = v - b2[j]
		p2 += d * d
		d = v - b3[j]
		p3 += d * d
	}
	return p0 + q0, p1 + q1, p2 + q2, p3 + q3
}

func addGo(dst, s []float64) {
	s = s[:len(dst)]
	for j, v := range s {
		dst[j] += v
	}
}
