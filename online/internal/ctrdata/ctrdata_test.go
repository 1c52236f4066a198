package ctrdata

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// TestManifest regenerates the whole stream and checks the peers'
// checksum (a few seconds; skipped with -short).
func TestManifest(t *testing.T) {
	if testing.Short() {
		t.Skip("1M rows")
	}
	if got := SHA256(Generate(Seed, Rows)); got != ManifestSHA256 {
		t.Fatalf("sha256 %s, peers' manifest %s", got, ManifestSHA256)
	}
}

func TestFileAndRecords(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := Generate(Seed, 1000)
	path := filepath.Join(t.TempDir(), "ctr.bin.gz")
	if err := WriteFile(path, d); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Rows != 1000 || !slices.Equal(back.Idx, d.Idx) || !slices.Equal(back.Y, d.Y) {
		t.Fatal("file round trip changed the data")
	}
	os.WriteFile(path, []byte("nope"), 0o600)
	if _, err := ReadFile(path); err == nil {
		t.Error("bad file: want an error")
	}
	recs, err := Records(mem, d, 300)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	if len(recs) != 4 || recs[3].NumRows() != 100 {
		t.Fatalf("%d batches", len(recs))
	}
	sv, _ := table.NewSparseVectors(recs[0].Column(0))
	for i := range 300 {
		size, idx, vals := sv.At(i)
		var sum float64
		for _, v := range vals {
			sum += v
		}
		if size != 1<<HashBits || sum != Fields || !slices.IsSorted(idx) {
			t.Fatalf("row %d: size %d, values sum %v, indices %v", i, size, sum, idx)
		}
	}
	// A row hitting one feature twice holds 2.0 there.
	dup := &Data{Rows: 1, Fields: 3, HashBits: 4, Idx: []uint32{5, 2, 5}, Y: []uint8{1}}
	idx, vals := RowVector(dup, 0, nil, nil)
	if !slices.Equal(idx, []int32{2, 5}) || !slices.Equal(vals, []float64{1, 2}) {
		t.Errorf("RowVector = %v %v, want [2 5] [1 2]", idx, vals)
	}
}
