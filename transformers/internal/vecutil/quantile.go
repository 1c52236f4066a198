package vecutil

import "math"

// Percentile returns the p-th percentile (0 <= p <= 100) of the sorted,
// NaN-free values a (NaN when a is empty) with numpy.percentile's default
// 'linear' method: h = (n-1) p/100, a[floor h] + (h - floor h)(a[floor h
// + 1] - a[floor h]), interpolated as numpy's _lerp.
func Percentile(a []float64, p float64) float64 {
	n := len(a)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * (p / 100)
	lo := math.Floor(h)
	i := int(lo)
	if i >= n-1 {
		return a[n-1]
	}
	if i < 0 {
		return a[0]
	}
	return Lerp(a[i], a[i+1], h-lo)
}

// Lerp is numpy's _lerp: a + (b-a) t, computed as b - (b-a)(1-t) for
// t >= 0.5.
func Lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

// Median returns the median of the sorted values a (NaN when empty), as
// numpy.median: the mean of the two middle values for an even count.
func Median(a []float64) float64 {
	n := len(a)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return a[n/2]
	}
	return (a[n/2-1] + a[n/2]) / 2
}

// Linspace returns num values evenly spaced from start to stop included,
// computed as numpy.linspace: start + i*((stop-start)/(num-1)), the last
// one exactly stop.
func Linspace(start, stop float64, num int) []float64 {
	out := make([]float64, num)
	if num == 1 {
		out[0] = start
		return out
	}
	step := (stop - start) / float64(num-1)
	for i := range out {
		out[i] = float64(i)*step + start
	}
	out[num-1] = stop
	return out
}
