// Package blobs generates the peers' "blobs" clustering data set
// (shared/peers/datagen.py, bit-exact): 20 features, 10 clusters, from
// counter-based SplitMix64 streams, so that Go tests and benchmarks and
// the scikit-learn scripts see the same rows without storing them.
//
//	center[c,j] = (2*unif(stream 20, c*20+j) - 1) * 5
//	a[r]        = min(floor(10*unif(stream 21, r)), 9)
//	x[r,j]      = center[a[r],j] + ih4(stream 22, r*20+j)
//
// with unif(s, i) = (mix64(base(seed, s) + (i+1)*0x9E3779B97F4A7C15) >> 11) * 2^-53,
// base(seed, s) = mix64(seed*0x9E3779B97F4A7C15 + s*0xD1B54A32D192ED03)
// and ih4 the Irwin-Hall(4) sum of four consecutive unif values, minus 2,
// times sqrt(3).
package blobs

// Dim and K are the data set's dimension and number of clusters.
const (
	Dim = 20
	K   = 10
)

const (
	gamma     = 0x9E3779B97F4A7C15
	streamMul = 0xD1B54A32D192ED03
)

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

type stream uint64

func newStream(seed, s uint64) stream { return stream(mix64(seed*gamma + s*streamMul)) }

func (s stream) unif(i uint64) float64 {
	return float64(mix64(uint64(s)+(i+1)*gamma)>>11) * 0x1p-53
}

func (s stream) ih4(i uint64) float64 {
	v := s.unif(4 * i)
	v += s.unif(4*i + 1)
	v += s.unif(4*i + 2)
	v += s.unif(4*i + 3)
	return (v - 2) * 1.7320508075688772
}

// Centers returns the K×Dim generating centers (row-major).
func Centers(seed uint64) []float64 {
	s := newStream(seed, 20)
	c := make([]float64, K*Dim)
	for i := range c {
		c[i] = (2*s.unif(uint64(i)) - 1) * 5
	}
	return c
}

// Rows returns the first n rows (row-major, n×Dim) and their generating
// cluster. The peers' set is Rows(42, 1_000_000).
func Rows(seed uint64, n int) (x []float64, a []int) {
	c := Centers(seed)
	sa, sx := newStream(seed, 21), newStream(seed, 22)
	x = make([]float64, n*Dim)
	a = make([]int, n)
	for r := range n {
		a[r] = min(int(sa.unif(uint64(r))*K), K-1)
		for j := range Dim {
			i := r*Dim + j
			x[i] = c[a[r]*Dim+j] + sx.ih4(uint64(i))
		}
	}
	return x, a
}
