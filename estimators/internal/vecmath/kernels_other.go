//go:build !amd64 || purego

package vecmath

const useAsm = false

// Stubs for the amd64 assembly kernels, never called.

func dot1(x, y *float64, n int) float64                           { panic("unreachable") }
func dots4(x, c0, c1, c2, c3 *float64, n int, out *[4]float64)    { panic("unreachable") }
func dots2(x, c0, c1 *float64, n int, out *[2]float64)            { panic("unreachable") }
func sqDist1(x, y *float64, n int) float64                        { panic("unreachable") }
func sqDists4(x, c0, c1, c2, c3 *float64, n int, out *[4]float64) { panic("unreachable") }
func sqDists2(x, c0, c1 *float64, n int, out *[2]float64)         { panic("unreachable") }
func add(dst, s *float64, n int)                                  { panic("unreachable") }
