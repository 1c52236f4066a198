package state

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// sumTable is a Table keeping one int64 per key in a map, encoded per key
// group as (key, value) pairs.
type sumTable struct {
	maxKG int
	sums  map[string]int64
	fail  error
}

func (s *sumTable) SnapshotGroups() (map[int][]byte, error) {
	if s.fail != nil {
		return nil, s.fail
	}
	out := map[int][]byte{}
	for _, k := range slices.Sorted(maps.Keys(s.sums)) {
		h, err := HashKey([]byte(k))
		if err != nil {
			return nil, err
		}
		g := KeyGroup(h, s.maxKG)
		out[g] = appendBytes(out[g], []byte(k))
		out[g] = appendBytes(out[g], Int64.Append(nil, s.sums[k]))
	}
	return out, nil
}

func (s *sumTable) RestoreGroup(g int, p []byte) error {
	d := &decoder{b: p}
	for len(d.b) > 0 {
		k, err := d.bytes()
		if err != nil {
			return err
		}
		raw, err := d.bytes()
		if err != nil {
			return err
		}
		v, err := Int64.Decode(raw)
		if err != nil {
			return err
		}
		h, _ := HashKey(k)
		if KeyGroup(h, s.maxKG) != g {
			return fmt.Errorf("key %q restored into group %d", k, g)
		}
		s.sums[string(k)] += v
	}
	return nil
}

func TestTableSnapshotRestoreRedistributes(t *testing.T) {
	const K, n = 16, 300
	src, _ := NewBackend(K, 0, K)
	tab := &sumTable{maxKG: K, sums: map[string]int64{}}
	if err := RegisterTable(src, "sums", tab); err != nil {
		t.Fatal(err)
	}
	if err := RegisterTable(src, "sums", tab); err == nil {
		t.Error("registering a table twice: want an error")
	}
	if _, err := NewValueState(src, "sums", Int64); err == nil {
		t.Error("a value state over a table's name: want an error")
	}
	v, _ := NewValueState(src, "v", Int64)
	want := map[string]int64{}
	for i := range n {
		k := string(encKey(fmt.Sprintf("k%d", i)))
		tab.sums[k] = int64(i * 3)
		want[k] = int64(i * 3)
		if err := src.SetCurrentKey([]byte(k)); err != nil {
			t.Fatal(err)
		}
		v.Set(int64(i))
	}
	snap, err := src.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, par := range []int{1, 3} {
		got := map[string]int64{}
		values := 0
		for s := range par {
			lo, hi := KeyGroupRange(K, par, s)
			dst, _ := NewBackend(K, lo, hi)
			if err := dst.Restore(snap); err != nil {
				t.Fatal(err)
			}
			// Unregistered tables are carried over unchanged.
			again, err := dst.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			for g, b := range again {
				if !bytes.Equal(b, snap[g]) {
					t.Fatalf("parallelism %d: group %d changed before registration", par, g)
				}
			}
			dt := &sumTable{maxKG: K, sums: map[string]int64{}}
			if err := RegisterTable(dst, "sums", dt); err != nil {
				t.Fatal(err)
			}
			for k, x := range dt.sums {
				h, _ := HashKey([]byte(k))
				if g := KeyGroup(h, K); g < lo || g >= hi {
					t.Errorf("subtask %d/%d got key of group %d", s, par, g)
				}
				got[k] = x
			}
			dv, _ := NewValueState(dst, "v", Int64)
			_ = dst.ForEachKey("v", func() error { _, ok := dv.Get(); values += map[bool]int{true: 1}[ok]; return nil })
		}
		if !maps.Equal(got, want) {
			t.Errorf("parallelism %d: restored %d keys, want %d (or values differ)", par, len(got), len(want))
		}
		if values != n {
			t.Errorf("parallelism %d: %d value entries next to the table, want %d", par, values, n)
		}
	}
	tab.fail = fmt.Errorf("disk full")
	if _, err := src.Snapshot(); err == nil {
		t.Error("failing table snapshot: want an error")
	}
	// A restored table payload that does not decode fails the registration.
	bad, _ := NewBackend(K, 0, K)
	if err := bad.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if err := RegisterTable(bad, "sums", &sumTable{maxKG: K + 1, sums: map[string]int64{}}); err == nil {
		t.Error("table rejecting its payload: want an error")
	}
}

func TestHashDeterminesKey(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ib := array.NewInt64Builder(mem)
	defer ib.Release()
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	for _, tc := range []struct {
		name  string
		vals  []int64
		valid []bool
		keys  []string
		want  bool
	}{
		{"int64", []int64{1, 2, 3}, nil, []string{"i"}, true},
		{"int64 with null", []int64{1, 2, 3}, []bool{true, false, true}, []string{"i"}, false},
		{"string", []int64{1, 2, 3}, nil, []string{"s"}, false},
		{"two columns", []int64{1, 2, 3}, nil, []string{"i", "s"}, false},
	} {
		ib.AppendValues(tc.vals, tc.valid)
		sb.AppendValues([]string{"a", "b", "c"}, nil)
		ia, sa := ib.NewArray(), sb.NewArray()
		rec := array.NewRecord(arrow.NewSchema([]arrow.Field{
			{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			{Name: "s", Type: arrow.BinaryTypes.String}}, nil), []arrow.Array{ia, sa}, 3)
		ia.Release()
		sa.Release()
		c := NewKeyCodec(tc.keys...)
		if err := c.Bind(rec); err != nil {
			t.Fatal(err)
		}
		if got := c.HashDeterminesKey(); got != tc.want {
			t.Errorf("%s: HashDeterminesKey = %v, want %v", tc.name, got, tc.want)
		}
		if tc.want {
			hs := c.Hash(nil)
			for r := range 3 {
				k := c.Append(nil, r)
				if len(k) != FixedKeyLen {
					t.Errorf("%s: key of %d bytes, want %d", tc.name, len(k), FixedKeyLen)
				}
				if h, _ := HashKey(k); h != hs[r] {
					t.Errorf("%s: row %d hash mismatch", tc.name, r)
				}
			}
		}
		rec.Release()
	}
	// The one collision HashDeterminesKey rules out: a null key and the
	// integer equal to the null hash constant.
	ib.AppendValues([]int64{int64(nullHash), 0}, []bool{true, false})
	ia := ib.NewArray()
	defer ia.Release()
	rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil), []arrow.Array{ia}, 2)
	defer rec.Release()
	c := NewKeyCodec("i")
	if err := c.Bind(rec); err != nil {
		t.Fatal(err)
	}
	hs := c.Hash(nil)
	if hs[0] != hs[1] || c.HashDeterminesKey() {
		t.Errorf("null vs %#x: hashes %#x %#x, HashDeterminesKey %v", uint64(nullHash), hs[0], hs[1], c.HashDeterminesKey())
	}
}
