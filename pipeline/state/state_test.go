package state

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

func keyBatch(t *testing.T, mem memory.Allocator) arrow.Record {
	t.Helper()
	ib := array.NewInt64Builder(mem)
	defer ib.Release()
	ib.AppendValues([]int64{1, -2, 1, 0, 7}, []bool{true, true, true, false, true})
	fb := array.NewFloat64Builder(mem)
	defer fb.Release()
	fb.AppendValues([]float64{0.5, math.Copysign(0, -1), 0.5, math.NaN(), 0}, nil)
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.AppendValues([]string{"a", "", "a", "xyz", "b"}, []bool{true, true, true, true, false})
	bb := array.NewBooleanBuilder(mem)
	defer bb.Release()
	bb.AppendValues([]bool{true, false, true, false, true}, nil)
	cols := []arrow.Array{ib.NewArray(), fb.NewArray(), sb.NewArray(), bb.NewArray()}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	return array.NewRecord(schema, cols, 5)
}

func TestKeyCodecHashAndRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := keyBatch(t, mem)
	defer rec.Release()
	k := NewKeyCodec("s", "i", "f", "b")
	if err := k.Bind(rec); err != nil {
		t.Fatal(err)
	}
	hashes := k.Hash(nil)
	builders := make([]array.Builder, 4)
	for i, f := range k.Fields() {
		builders[i] = array.NewBuilder(mem, f.Type)
		defer builders[i].Release()
	}
	var keys [][]byte
	for row, h := range hashes {
		key := k.Append(nil, row)
		keys = append(keys, key)
		got, err := HashKey(key)
		if err != nil {
			t.Fatal(err)
		}
		if got != h {
			t.Errorf("row %d: HashKey %x, column hash %x", row, got, h)
		}
		if err := DecodeKey(key, builders); err != nil {
			t.Fatal(err)
		}
	}
	if string(keys[0]) != string(keys[2]) || string(keys[0]) == string(keys[1]) {
		t.Errorf("equal rows must give equal keys, others differ: %q %q %q", keys[0], keys[1], keys[2])
	}
	// Decoded columns equal the originals (in key order s, i, f, b).
	idx := []int{2, 0, 1, 3}
	for c, b := range builders {
		arr := b.NewArray()
		orig := rec.Column(idx[c])
		for row := range 5 {
			if arr.IsNull(row) != orig.IsNull(row) || (!arr.IsNull(row) && arr.ValueStr(row) != orig.ValueStr(row) && !(c == 2 && row == 1)) {
				t.Errorf("column %s row %d: decoded %s, want %s", k.Names()[c], row, arr.ValueStr(row), orig.ValueStr(row))
			}
		}
		arr.Release()
	}
	// Type changes are reported.
	other := array.NewRecord(arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.PrimitiveTypes.Int64}, {Name: "i", Type: arrow.PrimitiveTypes.Int64},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64}, {Name: "b", Type: arrow.FixedWidthTypes.Boolean}}, nil),
		[]arrow.Array{rec.Column(0), rec.Column(0), rec.Column(1), rec.Column(3)}, 5)
	defer other.Release()
	if err := k.Bind(other); err == nil {
		t.Error("binding a batch whose key changed type: want an error")
	}
}

func TestKeyGroupRanges(t *testing.T) {
	for _, K := range []int{1, 7, 128} {
		for par := 1; par <= min(K, 9); par++ {
			prev := 0
			for s := range par {
				lo, hi := KeyGroupRange(K, par, s)
				if lo != prev || hi < lo {
					t.Fatalf("K=%d par=%d subtask %d: range [%d,%d) after %d", K, par, s, lo, hi, prev)
				}
				for g := lo; g < hi; g++ {
					if SubtaskOf(g, K, par) != s {
						t.Fatalf("K=%d par=%d: group %d in range of %d but maps to %d", K, par, g, s, SubtaskOf(g, K, par))
					}
				}
				prev = hi
			}
			if prev != K {
				t.Fatalf("K=%d par=%d: ranges end at %d", K, par, prev)
			}
		}
	}
}

// fill writes value, list and map state for n string keys and a timer per
// key into backends owning all groups.
func encKey(s string) []byte { return append([]byte{tagBytes, byte(len(s))}, s...) }

func TestSnapshotRestoreRedistributes(t *testing.T) {
	const K, n = 16, 200
	src, err := NewBackend(K, 0, K)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := NewValueState(src, "v", Float64)
	l, _ := NewListState(src, "l", String)
	m, _ := NewMapState(src, "m", Int64, Float64s)
	for i := range n {
		key := encKey(fmt.Sprintf("key%d", i))
		if err := src.SetCurrentKey(key); err != nil {
			t.Fatal(err)
		}
		v.Set(float64(i) / 2)
		l.Add("a")
		l.Add(fmt.Sprint(i))
		m.Put(int64(i), []float64{1, float64(i)})
		src.RegisterTimer(EventTime, int64(1000-i))
		src.RegisterTimer(ProcessingTime, int64(i))
	}
	if _, err := NewValueState(src, "v", Int64); err == nil {
		t.Error("registering v with another type: want an error")
	}
	snap, err := src.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, par := range []int{1, 3, 5} {
		seen := 0
		fired := 0
		for s := range par {
			lo, hi := KeyGroupRange(K, par, s)
			dst, _ := NewBackend(K, lo, hi)
			if err := dst.Restore(snap); err != nil {
				t.Fatal(err)
			}
			// Carried over before registration, then decoded on register.
			again, _ := dst.Snapshot()
			if err := dst.Restore(map[int][]byte{}); err != nil {
				t.Fatal(err)
			}
			dv, err := NewValueState(dst, "v", Float64)
			if err != nil {
				t.Fatal(err)
			}
			dl, _ := NewListState(dst, "l", String)
			dm, _ := NewMapState(dst, "m", Int64, Float64s)
			err = dst.ForEachKey("v", func() error {
				seen++
				var i int
				fmt.Sscanf(string(dst.CurrentKey()[2:]), "key%d", &i)
				if x, ok := dv.Get(); !ok || x != float64(i)/2 {
					return fmt.Errorf("key %d: value %v", i, x)
				}
				if got := dl.Get(); !slices.Equal(got, []string{"a", fmt.Sprint(i)}) {
					return fmt.Errorf("key %d: list %v", i, got)
				}
				if got, ok := dm.Get(int64(i)); !ok || !slices.Equal(got, []float64{1, float64(i)}) || dm.Len() != 1 {
					return fmt.Errorf("key %d: map %v", i, got)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for g, b := range again {
				if string(b) != string(snap[g]) {
					t.Errorf("par %d: key group %d re-snapshotted differently before registration", par, g)
				}
			}
			last := int64(math.MinInt64)
			err = dst.FireTimers(EventTime, 2000, func(ts int64) error {
				if ts < last {
					return fmt.Errorf("timer %d after %d", ts, last)
				}
				last = ts
				fired++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if dst.NumTimers(ProcessingTime) == 0 && hi > lo {
				t.Errorf("par %d subtask %d: processing timers lost", par, s)
			}
		}
		if seen != n || fired != n {
			t.Errorf("par %d: %d keys and %d timers restored, want %d", par, seen, fired, n)
		}
	}
}

func TestTimersOrderDedupDelete(t *testing.T) {
	b, _ := NewBackend(4, 0, 4)
	for _, k := range []string{"b", "a", "c"} {
		b.SetCurrentKey(encKey(k))
		b.RegisterTimer(EventTime, 10)
		b.RegisterTimer(EventTime, 10) // dedup
		b.RegisterTimer(EventTime, 5)
	}
	b.SetCurrentKey(encKey("c"))
	b.DeleteTimer(EventTime, 5)
	var got []string
	err := b.FireTimers(EventTime, 10, func(ts int64) error {
		got = append(got, fmt.Sprintf("%d%s", ts, b.CurrentKey()[2:]))
		if ts == 5 && string(b.CurrentKey()[2:]) == "a" {
			b.RegisterTimer(EventTime, 7) // fires in the same call
			b.RegisterTimer(EventTime, 11)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"5a", "5b", "7a", "10a", "10b", "10c"}
	if !slices.Equal(got, want) {
		t.Errorf("fired %v, want %v", got, want)
	}
	if ts, ok := b.NextTimer(EventTime); !ok || ts != 11 {
		t.Errorf("next timer %d %v, want 11", ts, ok)
	}
}

func TestCodecs(t *testing.T) {
	check := func(name string, f func() error) {
		if err := f(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	check("int64", func() error { return roundTrip(Int64, []int64{0, -1, math.MaxInt64, math.MinInt64}) })
	check("float64", func() error { return roundTrip(Float64, []float64{0, -2.5, math.Inf(1)}) })
	check("string", func() error { return roundTrip(String, []string{"", "héllo"}) })
	check("gob", func() error {
		type pt struct{ X, Y int }
		return roundTrip(Gob[pt](), []pt{{1, 2}, {}})
	})
	if _, err := Float64s.Decode([]byte{1, 2, 3}); err == nil {
		t.Error("float64s of 3 bytes: want an error")
	}
	if _, err := Int64.Decode([]byte{0x80}); err == nil {
		t.Error("truncated varint: want an error")
	}
}

func roundTrip[T comparable](c Codec[T], vs []T) error {
	for _, v := range vs {
		got, err := c.Decode(c.Append(nil, v))
		if err != nil {
			return err
		}
		if got != v {
			return fmt.Errorf("%v decoded as %v", v, got)
		}
	}
	return nil
}

func FuzzRestore(f *testing.F) {
	b, _ := NewBackend(8, 0, 8)
	v, _ := NewValueState(b, "v", Int64)
	l, _ := NewListState(b, "l", Bytes)
	m, _ := NewMapState(b, "m", String, Float64)
	for i := range 5 {
		b.SetCurrentKey(encKey(fmt.Sprint(i)))
		v.Set(int64(i))
		l.Add([]byte("x"))
		m.Put("k", 1)
		b.RegisterTimer(EventTime, int64(i))
	}
	snap, _ := b.Snapshot()
	for _, data := range snap {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dst, _ := NewBackend(8, 0, 8)
		if err := dst.Restore(map[int][]byte{3: data}); err != nil {
			return
		}
		// Registering decodes; errors are fine, panics are not.
		NewValueState(dst, "v", Int64)
		NewListState(dst, "l", Bytes)
		NewMapState(dst, "m", String, Float64)
		dst.Snapshot()
		dst.FireTimers(EventTime, math.MaxInt64, func(int64) error { return nil })
	})
}

func FuzzKey(f *testing.F) {
	f.Add([]byte{tagBytes, 2, 'a', 'b', tagFixed, 1, 0, 0, 0, 0, 0, 0, 0, tagTrue, tagNull})
	f.Fuzz(func(t *testing.T, key []byte) {
		if _, err := HashKey(key); err != nil {
			return
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		bs := []array.Builder{array.NewStringBuilder(mem), array.NewInt64Builder(mem)}
		DecodeKey(key, bs)
		for _, b := range bs {
			b.Release()
		}
	})
}
