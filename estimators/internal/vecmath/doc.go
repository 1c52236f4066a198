// Package vecmath holds dense float64 kernels for the estimators' hot
// loops: dot products and squared Euclidean distances of one vector with
// one row or with each row of a row-major matrix.
//
// # Kernels
//
// Dot and SqDist compare two vectors; Dots and SqDists compare a vector x
// with each of the len(dst) rows of a row-major matrix m (len(x) values
// per row) in one pass over x, so that a k-means assignment is one call
// per row. Add adds a vector into another. Lengths must agree, or the
// kernels panic; any length, including 0, and unaligned subslices are
// fine. Nothing is allocated.
//
// # Arithmetic
//
// Every row's result is computed by the same sequence of floating-point
// operations whatever the number of rows and the row's position, so that
// Dots(dst, x, m)[r] == Dot(x, m[r*len(x):(r+1)*len(x)]) bit for bit (and
// alike for SqDists and SqDist): a choice among rows does not depend on
// how they were grouped. SqDist sums (x_j - y_j)², never the cancelling
// ||x||² + ||y||² - 2x·y. NaN and infinite inputs propagate as in plain Go
// arithmetic: the result is NaN if any product (or difference) is NaN or
// infinities of opposite signs meet.
//
// # Implementations
//
// On amd64 CPUs with AVX2 and FMA (detected at start-up with
// golang.org/x/sys/cpu) the kernels are Go assembly: per row two 4-wide
// accumulators over 8 values per step, a 4-value step, the lanes added as
// ((a0+a1)+(a2+a3)), then the last 0-3 values one by one, all with fused
// multiply-adds; Dots and SqDists process four (then two, then one) rows
// per pass over x. Other CPUs and architectures, and builds with the
// purego tag, use plain Go (four accumulators per dot product, two per
// squared distance). The two differ in the last bits (fused rounding,
// summation order); on a given machine results are deterministic.
package vecmath
