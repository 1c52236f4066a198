// Package csvgen writes synthetic numeric CSV files for benchmarks: a header
// c0..cN-1 and rows of N(0,1)*scale floats printed with six decimals, the
// way pandas and most tools write measurements.
package csvgen

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
)

// Write writes rows x cols floats drawn from a generator seeded with seed.
func Write(w io.Writer, rows, cols int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, 0, 1024)
	for c := 0; c < cols; c++ {
		if c > 0 {
			b = append(b, ',')
		}
		b = append(b, 'c')
		b = strconv.AppendInt(b, int64(c), 10)
	}
	b = append(b, '\n')
	scales := []float64{1, 10, 100, 0.01, 1000}
	for r := 0; r < rows; r++ {
		if _, err := bw.Write(b); err != nil {
			return err
		}
		b = b[:0]
		for c := 0; c < cols; c++ {
			if c > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, rng.NormFloat64()*scales[c%len(scales)], 'f', 6, 64)
		}
		b = append(b, '\n')
	}
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}
