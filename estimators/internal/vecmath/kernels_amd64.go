//go:build !purego

package vecmath

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2+FMA kernels of kernels_amd64.s.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// The assembly kernels read n values from each pointer (n >= 1).

//go:noescape
func dot1(x, y *float64, n int) float64

//go:noescape
func dots4(x, c0, c1, c2, c3 *float64, n int, out *[4]float64)

//go:noescape
func dots2(x, c0, c1 *float64, n int, out *[2]float64)

//go:noescape
func sqDist1(x, y *float64, n int) float64

//go:noescape
func sqDists4(x, c0, c1, c2, c3 *float64, n int, out *[4]float64)

//go:noescape
func sqDists2(x, c0, c1 *float64, n int, out *[2]float64)

//go:noescape
func add(dst, s *float64, n int)
