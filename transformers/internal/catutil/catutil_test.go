package catutil

import (
	"maps"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// Reference values from scikit-learn's sklearn.utils.murmurhash3_32.
func TestMurmur3(t *testing.T) {
	tests := []struct {
		in       string
		seed42   int32
		seedZero int32
	}{
		{"", 142593372, 0},
		{"a", -1293573533, 1009084850},
		{"ab", -684913081, -1681926305},
		{"abc", 1313807976, -1277324294},
		{"abcd", -396302900, 1139631978},
		{"hello world", -368272391, 1586663183},
		{"workclass=State-gov", 1033698654, 764197542},
		{"héllo", -159043077, -1130389400},
	}
	for _, tt := range tests {
		if got := Murmur3String(tt.in, 42); got != tt.seed42 {
			t.Errorf("Murmur3(%q, 42) = %d, want %d", tt.in, got, tt.seed42)
		}
		if got := Murmur3([]byte(tt.in), 0); got != tt.seedZero {
			t.Errorf("Murmur3(%q, 0) = %d, want %d", tt.in, got, tt.seedZero)
		}
	}
	if got, want := HashIndex("a", 10), 7; got != want { // -1293573533 mod 10 = 7
		t.Errorf("HashIndex(a, 10) = %d, want %d", got, want)
	}
}

func TestDictLookup(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d, err := NewDict([]string{"b", "3", "0.5", "true"})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := table.Build(mem,
		table.NullableCol("s", []string{"b", "x", "3", ""}, []bool{true, true, true, false}),
		table.NullableCol("f", []float64{3, 0.5, 7, 0}, []bool{true, true, true, false}),
		table.Col("i", []int64{3, 4, 3, 3}),
		table.Col("t", []bool{true, false, true, true}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	want := [][]int32{{0, Unseen, 1, Invalid}, {1, 2, Unseen, Invalid}, {1, Unseen, 1, 1}, {3, Unseen, 3, 3}}
	dst := make([]int32, 4)
	for c := range want {
		if err := d.Lookup(dst, rec.Column(c)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(dst, want[c]) {
			t.Errorf("column %d: got %v, want %v", c, dst, want[c])
		}
	}
	if _, err := NewDict([]string{"a", "a"}); err == nil {
		t.Error("duplicate labels: no error")
	}
}

func TestCounterSort(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem,
		table.NullableCol("s", []string{"b", "a", "c", "a", "b", "z"}, []bool{true, true, true, true, true, false}),
		table.Col("f", []float64{2, 2.5, 2, 1, 1, 2}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	var c Counter
	if err := c.Add(rec.Column(0)); err != nil {
		t.Fatal(err)
	}
	orders := map[string][]string{
		FrequencyDesc: {"a", "b", "c"},
		FrequencyAsc:  {"c", "a", "b"},
		AlphabetAsc:   {"a", "b", "c"},
		AlphabetDesc:  {"c", "b", "a"},
	}
	for order, want := range orders {
		counts := c.Counts()
		if err := SortLabels(counts, order); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, lc := range counts {
			got = append(got, lc.Label)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", order, got, want)
		}
	}
	if c.Invalid != 1 {
		t.Errorf("invalid = %d, want 1", c.Invalid)
	}
	var f Counter
	if err := f.Add(rec.Column(1)); err != nil {
		t.Fatal(err)
	}
	counts := f.Counts()
	if err := SortLabels(counts, FrequencyDesc); err != nil {
		t.Fatal(err)
	}
	want := []LabelCount{{"2", 3}, {"1", 2}, {"2.5", 1}}
	if !slices.Equal(counts, want) {
		t.Errorf("float counts: got %v, want %v", counts, want)
	}
}

func TestSparseAndListOutput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var o SparseOutput
	o.Append(4, []int32{1, 3}, []float64{1, 2})
	o.AppendNull()
	o.AppendEntry(0, 5)
	o.EndRow(2)
	arr, err := o.NewArray(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	// The children hold every entry (not a length reset with the output).
	for f := 1; f <= 2; f++ {
		if got := arr.Field(f).(*array.List).ListValues().Len(); got != 3 {
			t.Errorf("field %d has %d child values, want 3", f, got)
		}
	}
	if arr.NullN() != 1 {
		t.Errorf("%d nulls, want 1", arr.NullN())
	}
	want := []any{table.SparseVector{Size: 4, Indices: []int32{1, 3}, Values: []float64{1, 2}}, nil,
		table.SparseVector{Size: 2, Indices: []int32{0}, Values: []float64{5}}}
	for i, w := range want {
		got := table.Value(arr, i)
		if w == nil {
			if got != nil {
				t.Errorf("row %d: got %v, want null", i, got)
			}
			continue
		}
		g := got.(table.SparseVector)
		wv := w.(table.SparseVector)
		if g.Size != wv.Size || !slices.Equal(g.Indices, wv.Indices) || !slices.Equal(g.Values, wv.Values) {
			t.Errorf("row %d: got %v, want %v", i, g, wv)
		}
	}

	var l StringListOutput
	l.AppendToken("a")
	l.AppendToken("bc")
	l.EndRow()
	l.AppendToken("dropped")
	l.AppendNull()
	l.EndRow()
	la, err := l.NewArray(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer la.Release()
	v, err := NewStringLists(la)
	if err != nil {
		t.Fatal(err)
	}
	s, e := v.Row(0)
	if e-s != 2 || v.Token(s) != "a" || v.Token(s+1) != "bc" || !v.IsNull(1) {
		t.Errorf("list rows wrong: %v", la)
	}
	if s, e := v.Row(2); s != e {
		t.Errorf("row 2 has %d tokens, want 0", e-s)
	}
}

func TestOneHotArray(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		size int
		cats []int32
	}{
		{3, []int32{0, 2, 3, -1, 1}},
		{0, []int32{0, 1}},
		{5, nil},
	} {
		arr := OneHotArray(mem, tc.size, tc.cats)
		if arr.Len() != len(tc.cats) || arr.NullN() != 0 {
			t.Fatalf("size %d: %d rows, %d nulls; want %d, 0", tc.size, arr.Len(), arr.NullN(), len(tc.cats))
		}
		for i, c := range tc.cats {
			got := table.Value(arr, i).(table.SparseVector)
			var idx []int32
			var vals []float64
			if c >= 0 && int(c) < tc.size {
				idx, vals = []int32{c}, []float64{1}
			}
			if got.Size != tc.size || !slices.Equal(got.Indices, idx) || !slices.Equal(got.Values, vals) {
				t.Errorf("size %d row %d: got %v, want entries %v", tc.size, i, got, idx)
			}
		}
		arr.Release()
	}
}

// TestStringSlices checks Lookup and Counter on sliced string columns (a
// non-zero array offset), with nulls and empty strings.
func TestStringSlices(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	vals := []string{"x", "", "abcdefghij", "y", "x", "", "zz", "abcdefghij", "q"}
	valid := []bool{true, true, true, false, true, true, true, true, true}
	rec, err := table.Build(mem, table.NullableCol("s", vals, valid))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	d, err := NewDict([]string{"abcdefghij", "", "x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo <= len(vals); lo++ {
		for hi := lo; hi <= len(vals); hi++ {
			s := array.NewSlice(rec.Column(0), int64(lo), int64(hi))
			dst := make([]int32, hi-lo)
			if err := d.Lookup(dst, s); err != nil {
				t.Fatal(err)
			}
			var c Counter
			if err := c.Add(s); err != nil {
				t.Fatal(err)
			}
			want := map[string]int64{}
			var invalid int64
			for i := lo; i < hi; i++ {
				w := d.Index(vals[i])
				if !valid[i] {
					w = Invalid
					invalid++
				} else {
					want[vals[i]]++
				}
				if dst[i-lo] != w {
					t.Errorf("[%d:%d] row %d: index %d, want %d", lo, hi, i, dst[i-lo], w)
				}
			}
			got := map[string]int64{}
			for _, lc := range c.Counts() {
				got[lc.Label] = lc.Count
			}
			if !maps.Equal(got, want) || c.Invalid != invalid {
				t.Errorf("[%d:%d] counts %v (%d invalid), want %v (%d)", lo, hi, got, c.Invalid, want, invalid)
			}
			s.Release()
		}
	}
}
