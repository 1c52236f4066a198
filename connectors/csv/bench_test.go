package csv

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/eddyml/eddy/connectors/csv/internal/csvgen"
)

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// TestMain removes the benchmark file.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchPath != "" {
		os.RemoveAll(filepath.Dir(benchPath))
	}
	os.Exit(code)
}

// benchFile writes the 1,000,000 x 20 float64 file once per test binary
// (b.TempDir would remove it between the runs of one benchmark).
func benchFile(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "csvbench")
		if err != nil {
			benchErr = err
			return
		}
		benchPath = filepath.Join(dir, "1mx20.csv")
		f, err := os.Create(benchPath)
		if err != nil {
			benchErr = err
			return
		}
		if err := csvgen.Write(f, 1000000, 20, 1); err != nil {
			benchErr = err
		}
		if err := f.Close(); err != nil && benchErr == nil {
			benchErr = err
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

func BenchmarkRead1Mx20(b *testing.B) {
	path := benchFile(b)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := Open(context.Background(), path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		var rows int64
		for r.Next() {
			rows += r.Record().NumRows()
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		r.Release()
		if rows != 1000000 {
			b.Fatalf("%d rows", rows)
		}
	}
}

func BenchmarkParseFloat(b *testing.B) {
	vals := [][]byte{[]byte("0.810704"), []byte("-13.021576"), []byte("1678.627984"), []byte("-0.012200"), []byte("0.1749027093115263")}
	for i := 0; i < b.N; i++ {
		for _, v := range vals {
			if _, err := parseFloat(v); err != nil {
				b.Fatal(err)
			}
		}
	}
}
