package modelio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

const seedMetadata = `{
  "format_version": 1,
  "eddy_version": "dev",
  "kind": "pipeline_model",
  "type": "model",
  "timestamp": "2026-11-26T06:00:00Z",
  "params": {"k": 3, "alpha": 0.5, "cols": ["a", "b"], "on": true},
  "data": [{"file": "data-0.arrow", "size": 10, "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}],
  "stages": ["stages/00-add_constant", "stages/01-mean_center_model"]
}`

// FuzzLoadMetadata feeds arbitrary bytes to the metadata decoder: it must
// never panic, and what it accepts must survive an encode/decode round
// trip unchanged and satisfy the layout rules.
func FuzzLoadMetadata(f *testing.F) {
	f.Add([]byte(seedMetadata))
	f.Add([]byte(`{"format_version": 2, "whatever": 1}`))
	f.Add([]byte(`{"format_version": "1"}`))
	f.Add([]byte(`{"format_version": 1, "kind": "a", "type": "transformer", "stages": ["stages/00-../x"]}`))
	f.Add([]byte(`{"format_version": 1e400}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMetadata(b)
		if err != nil {
			if m != nil {
				t.Fatal("metadata returned with an error")
			}
			return
		}
		for _, s := range m.Stages {
			if strings.Contains(s, "..") || strings.HasPrefix(s, "/") || strings.Contains(s, "\\") {
				t.Fatalf("accepted stage entry %q", s)
			}
		}
		enc, err := m.Encode()
		if err != nil {
			return // e.g. a param value JSON cannot re-encode: not a crash
		}
		m2, err := DecodeMetadata(enc)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", enc, err)
		}
		if !reflect.DeepEqual(m, m2) && !(m.Timestamp.Equal(m2.Timestamp) && sameExceptTime(m, m2)) {
			t.Fatalf("round trip changed the metadata:\n%+v\n%+v", m, m2)
		}
	})
}

func sameExceptTime(a, b *Metadata) bool {
	a2, b2 := *a, *b
	a2.Timestamp, b2.Timestamp = time.Time{}, time.Time{}
	ja, _ := json.Marshal(a2)
	jb, _ := json.Marshal(b2)
	return bytes.Equal(ja, jb)
}

func ipcSeeds(tb testing.TB) [][]byte {
	mem := memory.NewGoAllocator()
	a, err := table.Build(mem,
		table.NullableCol("s", []string{"a", "", "ccc"}, []bool{true, true, false}),
		table.Col("f", []float64{1.5, 0, -3}),
		table.DenseCol("v", 2, [][]float64{{1, 2}, {3, 4}, {5, 6}}),
		table.SparseCol("sp", []table.SparseVector{{Size: 5, Indices: []int32{1, 3}, Values: []float64{1, 2}}, {Size: 5}, {Size: 2}}),
	)
	if err != nil {
		tb.Fatal(err)
	}
	defer a.Release()
	var out [][]byte
	for _, rec := range []arrow.Record{a, a.NewSlice(1, 2)} {
		var buf bytes.Buffer
		if err := writeIPC(&buf, rec, mem); err != nil {
			tb.Fatal(err)
		}
		out = append(out, buf.Bytes())
	}
	return out
}

// FuzzReadIPC feeds corrupted Arrow IPC files to the model data decoder:
// it must return an error or a record whose every value can be read,
// never panic, and leak nothing.
func FuzzReadIPC(f *testing.F) {
	for _, s := range ipcSeeds(f) {
		f.Add(s)
		f.Add(s[:len(s)/2])
		c := bytes.Clone(s)
		c[len(c)/3] ^= 0xff
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rec, err := readIPC(b)
		if err != nil {
			return
		}
		defer rec.Release()
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("reading an accepted record panicked: %v", r)
				}
			}()
			for _, col := range rec.Columns() {
				if int64(col.Len()) < rec.NumRows() {
					panic(fmt.Sprintf("column of %d rows in a record of %d", col.Len(), rec.NumRows()))
				}
				// The first and last rows (a Null column can claim
				// billions of rows at no cost).
				n := int(rec.NumRows())
				for i := 0; i < n; i++ {
					if i == 64 && n > 128 {
						i = n - 64
					}
					_ = table.Value(col, i)
				}
				if col.Len() < 1<<16 {
					if c, err := array.Concatenate([]arrow.Array{col}, mem); err == nil {
						c.Release()
					}
				}
			}
		}()
	})
}

func TestValidateAcceptsEveryShape(t *testing.T) {
	mem := memory.NewGoAllocator()
	// Valid arrays of every supported shape pass.
	rec, err := table.Build(mem, table.Col("s", []string{"a", "bc"}), table.Col("b", []bool{true, false}),
		table.DenseCol("v", 1, [][]float64{{1}, {2}}), table.SparseCol("sp", []table.SparseVector{{Size: 3}, {Size: 3, Indices: []int32{2}, Values: []float64{1}}}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if err := validate(rec); err != nil {
		t.Fatal(err)
	}
	sl := rec.NewSlice(1, 2)
	defer sl.Release()
	if err := validate(sl); err != nil {
		t.Fatal(err)
	}
}
