package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors/generate"
)

func TestRateReaderPacesRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g, err := generate.New(generate.Config{Seed: 1, Rows: 1000, BatchSize: 100, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Release()
	clock := time.Unix(0, 0)
	var slept []time.Duration
	r := newRateReader(context.Background(), g, 200) // 200 rows/s: one 100-row batch every 0.5 s
	r.now = func() time.Time { return clock }
	r.sleep = func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		clock = clock.Add(d)
		return nil
	}
	n := 0
	for r.Next() {
		n++
	}
	if err := r.Err(); err != nil || n != 10 {
		t.Fatalf("read %d batches, err %v", n, err)
	}
	// The first batch is due at once, each next one 0.5 s later.
	if len(slept) != 9 {
		t.Fatalf("slept %d times, want 9: %v", len(slept), slept)
	}
	for _, d := range slept {
		if d != 500*time.Millisecond {
			t.Errorf("slept %v, want 500ms", d)
		}
	}
	if err := r.SeekRow(300); err != nil || r.Offset() != 300 {
		t.Fatalf("seek: %v, offset %d", err, r.Offset())
	}
}

func TestRateReaderStopsOnCancel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g, err := generate.New(generate.Config{Seed: 1, BatchSize: 100, Allocator: mem}) // endless
	if err != nil {
		t.Fatal(err)
	}
	defer g.Release()
	ctx, cancel := context.WithCancel(context.Background())
	r := newRateReader(ctx, g, 1) // one row a second: the second batch waits 100 s
	if !r.Next() {
		t.Fatal(r.Err())
	}
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if r.Next() {
		t.Fatal("Next returned a batch after cancel")
	}
	if !errors.Is(r.Err(), context.Canceled) {
		t.Errorf("Err = %v, want context.Canceled", r.Err())
	}
}
