package table

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

func newMem(t testing.TB) *memory.CheckedAllocator {
	return memory.NewCheckedAllocator(memory.NewGoAllocator())
}

// allTypes builds a record with every column type Eddy uses, with nulls.
func allTypes(t testing.TB, mem memory.Allocator) arrow.Record {
	t.Helper()
	valid := []bool{true, false, true, true, false, true, true}
	ts := make([]time.Time, 7)
	for i := range ts {
		ts[i] = time.Date(2026, 1, 1+i, 12, 0, 0, 0, time.UTC)
	}
	rec, err := Build(mem,
		NullableCol("b", []bool{true, false, false, true, true, false, true}, valid),
		NullableCol("i32", []int32{1, 2, 3, 4, 5, 6, 7}, valid),
		Col("i64", []int64{10, 20, 30, 40, 50, 60, 70}),
		NullableCol("f32", []float32{1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5}, valid),
		NullableCol("f64", []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, math.Inf(1)}, valid),
		NullableCol("s", []string{"a", "bb", "", "dddd", "e", "ffffff", "g"}, valid),
		TimestampCol("ts", arrow.Microsecond, "", ts, valid),
		DenseCol("dense", 3, [][]float64{{1, 2, 3}, nil, {4, 5, 6}, {7, 8, 9}, {0, 0, 1}, nil, {1, 1, 1}}),
		NullableSparseCol("sparse", []SparseVector{
			{Size: 5, Indices: []int32{0, 3}, Values: []float64{1, 2}},
			{},
			{Size: 5},
			{Size: 10, Indices: []int32{9}, Values: []float64{-1}},
			{Size: 3, Indices: []int32{0, 1, 2}, Values: []float64{1, 2, 3}},
			{Size: 4, Indices: []int32{2}, Values: []float64{7}},
			{Size: 1, Indices: []int32{0}, Values: []float64{0.5}},
		}, valid),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Add a list<string> column to exercise the nested fallback path.
	lb := array.NewListBuilder(mem, arrow.BinaryTypes.String)
	defer lb.Release()
	sb := lb.ValueBuilder().(*array.StringBuilder)
	for i := 0; i < 7; i++ {
		if i == 3 {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for k := 0; k < i%3; k++ {
			sb.Append(strings.Repeat("x", i+k))
		}
	}
	la := lb.NewArray()
	defer la.Release()
	defer rec.Release()
	fields := append(rec.Schema().Fields(), arrow.Field{Name: "tags", Type: la.DataType(), Nullable: true})
	out, err := NewRecord(arrow.NewSchema(fields, nil), append(rec.Columns(), la)...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTakeAllTypes(t *testing.T) {
	mem := newMem(t)
	defer mem.AssertSize(t, 0)
	full := allTypes(t, mem)
	defer full.Release()
	sliced := full.NewSlice(1, 7)
	defer sliced.Release()
	for _, tc := range []struct {
		name string
		rec  arrow.Record
		idx  []int
	}{
		{"all", full, []int{0, 1, 2, 3, 4, 5, 6}},
		{"reverse repeat", full, []int{6, 6, 1, 0, 3}},
		{"empty", full, []int{}},
		{"sliced", sliced, []int{5, 0, 1, 3, 2}},
		{"sliced nulls only", sliced, []int{0, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Take(mem, tc.rec, tc.idx)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			if got.NumRows() != int64(len(tc.idx)) {
				t.Fatalf("rows = %d, want %d", got.NumRows(), len(tc.idx))
			}
			for k, i := range tc.idx {
				g, w := Row(got, k), Row(tc.rec, i)
				if !reflect.DeepEqual(g, w) {
					t.Errorf("row %d (source %d):\n got %v\nwant %v", k, i, g, w)
				}
			}
			for j, c := range got.Columns() {
				if c.Len() != len(tc.idx) {
					t.Errorf("column %d has %d rows", j, c.Len())
				}
			}
		})
	}
}

func TestTakeErrors(t *testing.T) {
	mem := newMem(t)
	defer mem.AssertSize(t, 0)
	rec, err := Build(mem, Col("x", []float64{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	for _, idx := range [][]int{{2}, {-1}, {0, 5}} {
		if r, err := Take(mem, rec, idx); err == nil {
			r.Release()
			t.Errorf("Take(%v): no error", idx)
		} else if !strings.Contains(err.Error(), "out of range") {
			t.Errorf("Take(%v): %v", idx, err)
		}
	}
	if r, err := Filter(mem, rec, []bool{true}); err == nil {
		r.Release()
		t.Error("Filter with a short mask: no error")
	}
}

func TestFilter(t *testing.T) {
	mem := newMem(t)
	defer mem.AssertSize(t, 0)
	rec := allTypes(t, mem)
	defer rec.Release()
	mask := []bool{false, true, true, false, true, false, true}
	got, err := Filter(mem, rec, mask)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	k := 0
	for i, m := range mask {
		if !m {
			continue
		}
		if g, w := Row(got, k), Row(rec, i); !reflect.DeepEqual(g, w) {
			t.Errorf("row %d: got %v want %v", k, g, w)
		}
		k++
	}
	if int64(k) != got.NumRows() {
		t.Errorf("rows = %d, want %d", got.NumRows(), k)
	}
}

func TestHashKeysIsDocumentedFNV(t *testing.T) {
	mem := newMem(t)
	defer mem.AssertSize(t, 0)
	rec, err := Build(mem,
		NullableCol("k", []int64{42, -1, 0}, []bool{true, true, false}),
		Col("s", []string{"ab", "", "héllo"}),
		Col("b", []bool{true, false, true}),
		Col("f", []float64{1.5, math.Copysign(0, -1), 0}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	got, err := HashKeys(nil, rec, []int{0, 1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	ints := []int64{42, -1, 0}
	strs := []string{"ab", "", "héllo"}
	bools := []byte{1, 0, 1}
	floats := []float64{1.5, math.Copysign(0, -1), 0}
	for i := range ints {
		h := fnv.New64a()
		if i == 2 {
			h.Write([]byte{0})
		} else {
			h.Write([]byte{1})
			h.Write(binary.LittleEndian.AppendUint64(nil, uint64(ints[i])))
		}
		h.Write([]byte{1})
		h.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(strs[i]))))
		h.Write([]byte(strs[i]))
		h.Write([]byte{1, bools[i]})
		h.Write([]byte{1})
		h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(floats[i])))
		if want := h.Sum64(); got[i] != want {
			t.Errorf("row %d: hash %x, want %x", i, got[i], want)
		}
	}
	if _, err := HashKeys(nil, rec, []int{9}); err == nil {
		t.Error("bad key column: no error")
	}
}

func TestPartitionByHash(t *testing.T) {
	mem := newMem(t)
	defer mem.AssertSize(t, 0)
	n := 1000
	keys := make([]string, n)
	vals := make([]int64, n)
	for i := range keys {
		keys[i] = string(rune('a' + i%37))
		vals[i] = int64(i)
	}
	rec, err := Build(mem, Col("k", keys), Col("v", vals))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	sliced := rec.NewSlice(3, int64(n))
	defer sliced.Release()
	for _, src := range []arrow.Record{rec, sliced} {
		parts, err := PartitionByHash(mem, src, []int{0}, 4)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		keyPart := map[string]int{}
		for p, pr := range parts {
			prev := int64(-1)
			for i := 0; i < int(pr.NumRows()); i++ {
				k := Value(pr.Column(0), i).(string)
				v := Value(pr.Column(1), i).(int64)
				if q, ok := keyPart[k]; ok && q != p {
					t.Errorf("key %q in partitions %d and %d", k, q, p)
				}
				keyPart[k] = p
				if seen[v] {
					t.Errorf("row %d twice", v)
				}
				if v <= prev {
					t.Errorf("partition %d not in input order", p)
				}
				prev = v
				seen[v] = true
			}
			pr.Release()
		}
		if len(seen) != int(src.NumRows()) {
			t.Errorf("%d rows partitioned, want %d", len(seen), src.NumRows())
		}
		if len(keyPart) != 37 {
			t.Errorf("%d keys", len(keyPart))
		}
	}
	if _, err := PartitionByHash(mem, rec, []int{0}, 0); err == nil {
		t.Error("0 partitions: no error")
	}
	dense, err := Build(mem, DenseCol("v", 2, [][]float64{{1, 2}}))
	if err != nil {
		t.Fatal(err)
	}
	defer dense.Release()
	if _, err := PartitionByHash(mem, dense, []int{0}, 2); err == nil || !strings.Contains(err.Error(), "unsupported key type") {
		t.Errorf("vector key: %v", err)
	}
}

func TestAggregate(t *testing.T) {
	mem := newMem(t)
	defer mem.AssertSize(t, 0)
	keyValid := []bool{true, true, true, false, true, true, false, true}
	xValid := []bool{true, true, false, true, true, true, true, true}
	rec, err := Build(mem,
		NullableCol("k", []string{"a", "b", "a", "", "b", "c", "", "a"}, keyValid),
		NullableCol("x", []float64{1, 2, 100, 4, 6, 7, 8, 3}, xValid),
		Col("n", []int64{1, 2, 3, 4, 5, 6, 7, 8}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	got, err := Aggregate(mem, rec, []int{0},
		Aggregation{Op: Count, Col: -1},
		Aggregation{Op: Count, Col: 1},
		Aggregation{Op: Sum, Col: 1},
		Aggregation{Op: Sum, Col: 2},
		Aggregation{Op: Mean, Col: 1},
		Aggregation{Op: Min, Col: 2},
		Aggregation{Op: Max, Col: 1},
		Aggregation{Op: Variance, Col: 1, Name: "var"},
	)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	wantNames := []string{"k", "count", "count_x", "sum_x", "sum_n", "mean_x", "min_n", "max_x", "var"}
	for j, w := range wantNames {
		if got.ColumnName(j) != w {
			t.Errorf("column %d named %q, want %q", j, got.ColumnName(j), w)
		}
	}
	// Groups in order of first appearance: a, b, null, c.
	want := [][]any{
		{"a", int64(3), int64(2), 4.0, int64(12), 2.0, int64(1), 3.0, 2.0},
		{"b", int64(2), int64(2), 8.0, int64(7), 4.0, int64(2), 6.0, 8.0},
		{nil, int64(2), int64(2), 12.0, int64(11), 6.0, int64(4), 8.0, 8.0},
		{"c", int64(1), int64(1), 7.0, int64(6), 7.0, int64(6), 7.0, nil},
	}
	if got.NumRows() != int64(len(want)) {
		t.Fatalf("%d groups, want %d", got.NumRows(), len(want))
	}
	for i, w := range want {
		if g := Row(got, i); !reflect.DeepEqual(g, w) {
			t.Errorf("group %d:\n got %v\nwant %v", i, g, w)
		}
	}

	global, err := Aggregate(mem, rec, nil, Aggregation{Op: Mean, Col: 2}, Aggregation{Op: Variance, Col: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer global.Release()
	if g := Row(global, 0); g[0] != 4.5 || math.Abs(g[1].(float64)-6) > 1e-12 {
		t.Errorf("global = %v, want [4.5 6]", g)
	}

	if _, err := Aggregate(mem, rec, []int{0}, Aggregation{Op: Sum, Col: 0}); err == nil || !strings.Contains(err.Error(), `"k"`) {
		t.Errorf("sum of strings: %v", err)
	}
}

func TestRoles(t *testing.T) {
	f := arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Float64, Metadata: arrow.NewMetadata([]string{"unit"}, []string{"m"})}
	f = WithRole(f, RoleFeature)
	if RoleOf(f) != RoleFeature || f.Metadata.Len() != 2 {
		t.Fatalf("role %q, metadata %v", RoleOf(f), f.Metadata)
	}
	f = WithRole(f, RoleLabel)
	if RoleOf(f) != RoleLabel || f.Metadata.Len() != 2 {
		t.Fatalf("role %q, metadata %v", RoleOf(f), f.Metadata)
	}
	if RoleOf(WithRole(f, "")) != "" {
		t.Error("empty role not removed")
	}
	s := arrow.NewSchema([]arrow.Field{
		WithRole(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64}, RoleFeature),
		WithRole(arrow.Field{Name: "b", Type: arrow.PrimitiveTypes.Int64}, RoleLabel),
		WithRole(arrow.Field{Name: "c", Type: arrow.PrimitiveTypes.Int64}, RoleFeature),
	}, nil)
	if got := ColumnsWithRole(s, RoleFeature); !reflect.DeepEqual(got, []int{0, 2}) {
		t.Errorf("features = %v", got)
	}
	if i, err := FieldIndex(s, "b"); i != 1 || err != nil {
		t.Errorf("FieldIndex(b) = %d, %v", i, err)
	}
	_, err := FieldIndex(s, "zz")
	if err == nil || err.Error() != `column "zz" not found; available columns: a, b, c` {
		t.Errorf("FieldIndex(zz) error = %v", err)
	}
	for _, r := range Roles {
		if !r.Valid() {
			t.Errorf("%q invalid", r)
		}
	}
	if Role("nope").Valid() {
		t.Error("unknown role valid")
	}
}

func TestVectors(t *testing.T) {
	mem := newMem(t)
	defer mem.AssertSize(t, 0)
	db := NewDenseVectorBuilder(mem, 2)
	defer db.Release()
	if err := db.Append([]float64{1, 2, 3}); err == nil {
		t.Error("wrong dimension: no error")
	}
	_ = db.Append([]float64{1, 2})
	db.AppendNull()
	_ = db.Append([]float64{5, 6})
	arr := db.NewArray()
	defer arr.Release()
	if !IsDenseVector(arr.DataType()) || IsSparseVector(arr.DataType()) {
		t.Error("type predicates")
	}
	sl := array.NewSlice(arr, 1, 3)
	defer sl.Release()
	vals, dim, err := DenseVectors(sl)
	if err != nil || dim != 2 || !reflect.DeepEqual(vals, []float64{0, 0, 5, 6}) {
		t.Errorf("DenseVectors(slice) = %v, %d, %v", vals, dim, err)
	}

	sb := NewSparseVectorBuilder(mem)
	defer sb.Release()
	for _, bad := range []SparseVector{
		{Size: 3, Indices: []int32{1, 1}, Values: []float64{1, 2}},
		{Size: 3, Indices: []int32{3}, Values: []float64{1}},
		{Size: 3, Indices: []int32{0}, Values: nil},
	} {
		if err := sb.AppendVector(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	_ = sb.Append(4, []int32{1, 3}, []float64{0.5, 2})
	sb.AppendNull()
	_ = sb.Append(2, []int32{0}, []float64{9})
	sa := sb.NewArray()
	defer sa.Release()
	ss := array.NewSlice(sa, 1, 3)
	defer ss.Release()
	v, err := NewSparseVectors(ss)
	if err != nil {
		t.Fatal(err)
	}
	if !v.IsNull(0) || v.IsNull(1) || v.Len() != 2 {
		t.Error("nulls")
	}
	size, idx, vv := v.At(1)
	if size != 2 || !reflect.DeepEqual(idx, []int32{0}) || !reflect.DeepEqual(vv, []float64{9}) {
		t.Errorf("At(1) = %d %v %v", size, idx, vv)
	}
	if _, _, err := DenseVectors(sa); err == nil {
		t.Error("DenseVectors(sparse): no error")
	}
	if _, err := NewSparseVectors(arr); err == nil {
		t.Error("NewSparseVectors(dense): no error")
	}
}

func TestTypedAccessors(t *testing.T) {
	mem := newMem(t)
	defer mem.AssertSize(t, 0)
	rec, err := Build(mem, Col("x", []float64{1, 2, 3}), NullableCol("y", []float64{1, 2}, []bool{true, false}))
	if err == nil {
		rec.Release()
		t.Fatal("ragged columns: no error")
	}
	rec, err = Build(mem, Col("x", []float64{1, 2, 3}), NullableCol("y", []float64{1, 2, 3}, []bool{true, false, true}), Col("i", []int64{4, 5, 6}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if x, err := Float64s(rec.Column(0)); err != nil || !reflect.DeepEqual(x, []float64{1, 2, 3}) {
		t.Errorf("Float64s = %v, %v", x, err)
	}
	if _, err := Float64s(rec.Column(1)); err == nil {
		t.Error("Float64s with nulls: no error")
	}
	if _, err := Float64s(rec.Column(2)); err == nil {
		t.Error("Float64s of int64: no error")
	}
	if x, err := Int64s(rec.Column(2)); err != nil || !reflect.DeepEqual(x, []int64{4, 5, 6}) {
		t.Errorf("Int64s = %v, %v", x, err)
	}
	if _, err := NewRecord(rec.Schema(), rec.Column(0)); err == nil {
		t.Error("NewRecord with too few columns: no error")
	}
}

func TestTable(t *testing.T) {
	mem := newMem(t)
	defer mem.AssertSize(t, 0)
	var recs []arrow.Record
	for b := 0; b < 3; b++ {
		r, err := Build(mem, Col("i", []int64{int64(3 * b), int64(3*b + 1), int64(3*b + 2)}), Col("s", []string{"x", "y", "z"}))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	tbl, err := New(recs[0].Schema(), recs...)
	for _, r := range recs {
		r.Release()
	}
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 9 || tbl.NumBatches() != 3 {
		t.Fatalf("rows %d batches %d", tbl.NumRows(), tbl.NumBatches())
	}
	ints := func(tb *Table) []int64 {
		var out []int64
		for b := 0; b < tb.NumBatches(); b++ {
			rec := tb.Batch(b)
			for i := 0; i < int(rec.NumRows()); i++ {
				out = append(out, Value(rec.Column(0), i).(int64))
			}
		}
		return out
	}
	for _, tc := range []struct {
		off, n int64
		want   []int64
	}{
		{2, 5, []int64{2, 3, 4, 5, 6}},
		{0, 9, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8}},
		{7, 100, []int64{7, 8}},
		{-3, 2, []int64{0, 1}},
		{9, 1, nil},
		{3, 3, []int64{3, 4, 5}},
	} {
		s := tbl.Slice(tc.off, tc.n)
		if got := ints(s); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Slice(%d, %d) = %v, want %v", tc.off, tc.n, got, tc.want)
		}
		s.Release()
	}

	// Reader and Seeker.
	r := tbl.Reader()
	if err := r.SeekRow(4); err != nil {
		t.Fatal(err)
	}
	var got []int64
	for r.Next() {
		rec := r.Record()
		for i := 0; i < int(rec.NumRows()); i++ {
			got = append(got, Value(rec.Column(0), i).(int64))
		}
	}
	if !reflect.DeepEqual(got, []int64{4, 5, 6, 7, 8}) || r.Offset() != 9 {
		t.Errorf("after seek: %v offset %d", got, r.Offset())
	}
	if err := r.SeekRow(100); err != nil || r.Next() {
		t.Error("seek past end")
	}
	if err := r.SeekRow(-1); err == nil {
		t.Error("negative seek: no error")
	}
	_ = r.SeekRow(0)
	back, err := ReadAll(r)
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	if !reflect.DeepEqual(ints(back), ints(tbl)) {
		t.Error("ReadAll differs")
	}

	cat, err := Concat(tbl, back)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Release()
	one, err := cat.Combine(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Release()
	if one.NumRows() != 18 || Value(one.Column(0), 17).(int64) != 8 || Value(one.Column(1), 10).(string) != "y" {
		t.Errorf("combine: %d rows", one.NumRows())
	}

	sel, err := cat.Select("s")
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Release()
	if sel.Schema().NumFields() != 1 || sel.NumRows() != 18 {
		t.Error("select")
	}
	if _, err := cat.Select("nope"); err == nil || !strings.Contains(err.Error(), "available columns: i, s") {
		t.Errorf("select nope: %v", err)
	}
	if _, err := Concat(tbl, sel); err == nil || !strings.Contains(err.Error(), "table 1") {
		t.Errorf("concat of different schemas: %v", err)
	}

	other, err := Build(mem, Col("i", []float64{1}), Col("s", []string{"x"}))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	_, err = New(tbl.Schema(), tbl.Batch(0), other)
	if err == nil || !strings.Contains(err.Error(), "batch 1: schema differs at field 0: got i: float64, want i: int64") {
		t.Errorf("New with other schema: %v", err)
	}

	empty := tbl.Slice(20, 1)
	defer empty.Release()
	er, err := empty.Combine(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer er.Release()
	if er.NumRows() != 0 || er.NumCols() != 2 {
		t.Error("empty combine")
	}
}
