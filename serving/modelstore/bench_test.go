package modelstore_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/eddyml/eddy/internal/testutil"
	"github.com/eddyml/eddy/serving/modelstore"
)

var benchPrefix atomic.Int64

// benchStores runs fn against a fresh store of each backend.
func benchStores(b *testing.B, fn func(b *testing.B, s modelstore.Store)) {
	b.Run("file", func(b *testing.B) {
		s, err := modelstore.OpenDir(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		fn(b, s)
	})
	b.Run("redis", func(b *testing.B) {
		rd := testutil.StartRedis(b)
		s, err := modelstore.Open(context.Background(), fmt.Sprintf("%s?prefix=b%d:", rd.URL(), benchPrefix.Add(1)))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		fn(b, s)
	})
}

const benchBlob = 1 << 20

func BenchmarkPut1MB(b *testing.B) {
	data := bytes.Repeat([]byte("eddy model bytes"), benchBlob/16)
	benchStores(b, func(b *testing.B, s modelstore.Store) {
		ctx := context.Background()
		b.SetBytes(benchBlob)
		for b.Loop() {
			if _, err := s.Create(ctx, "m", bytes.NewReader(data), modelstore.Info{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGet1MB(b *testing.B) {
	data := bytes.Repeat([]byte("eddy model bytes"), benchBlob/16)
	benchStores(b, func(b *testing.B, s modelstore.Store) {
		ctx := context.Background()
		v, err := s.Create(ctx, "m", bytes.NewReader(data), modelstore.Info{})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(benchBlob)
		for b.Loop() {
			if _, err := s.Get(ctx, "m", v.Version); err != nil {
				b.Fatal(err)
			}
			r, err := s.OpenBlob(ctx, "m", v.Version)
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, r); err != nil || n != benchBlob {
				b.Fatal(n, err)
			}
			r.Close()
		}
	})
}

// BenchmarkEventAppend measures changes (each one event) per second: an
// alias moved back and forth.
func BenchmarkEventAppend(b *testing.B) {
	benchStores(b, func(b *testing.B, s modelstore.Store) {
		ctx := context.Background()
		for range 2 {
			if _, err := s.Create(ctx, "m", bytes.NewReader(nil), modelstore.Info{}); err != nil {
				b.Fatal(err)
			}
		}
		i := int64(0)
		for b.Loop() {
			if err := s.SetAlias(ctx, "m", "champion", i%2+1); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkEventRead measures a subscriber catching up: events read (in
// pages) and acked per page, per second.
func BenchmarkEventRead(b *testing.B) {
	const n = 2000
	benchStores(b, func(b *testing.B, s modelstore.Store) {
		ctx := context.Background()
		for range 2 {
			if _, err := s.Create(ctx, "m", bytes.NewReader(nil), modelstore.Info{}); err != nil {
				b.Fatal(err)
			}
		}
		for i := range n - 2 {
			if err := s.SetAlias(ctx, "m", "champion", int64(i%2+1)); err != nil {
				b.Fatal(err)
			}
		}
		read := 0
		for b.Loop() {
			for from := uint64(1); ; {
				evs, err := s.Events(ctx, from, modelstore.MaxPageSize)
				if err != nil {
					b.Fatal(err)
				}
				if len(evs) == 0 {
					break
				}
				read += len(evs)
				from = evs[len(evs)-1].Seq + 1
				if err := s.Ack(ctx, "bench", from-1); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "events/s")
	})
}
