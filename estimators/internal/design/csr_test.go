package design

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// rawSparse builds a sparse vector column without the builder's checks
// (as a corrupt or foreign IPC file could hold): row i has size sizes[i],
// indices idx[i] and values vals[i]; a nil idx[i] and vals[i] with
// valid[i] false is a null row.
func rawSparse(mem memory.Allocator, sizes []int32, idx [][]int32, vals [][]float64, valid []bool) arrow.Array {
	b := array.NewStructBuilder(mem, table.SparseVectorType())
	defer b.Release()
	sb := b.FieldBuilder(0).(*array.Int32Builder)
	ib := b.FieldBuilder(1).(*array.ListBuilder)
	vb := b.FieldBuilder(2).(*array.ListBuilder)
	for i := range sizes {
		if valid != nil && !valid[i] {
			b.AppendNull()
			continue
		}
		b.Append(true)
		sb.Append(sizes[i])
		ib.Append(true)
		ib.ValueBuilder().(*array.Int32Builder).AppendValues(idx[i], nil)
		vb.Append(true)
		vb.ValueBuilder().(*array.Float64Builder).AppendValues(vals[i], nil)
	}
	return b.NewArray()
}

func record(t *testing.T, mem memory.Allocator, features arrow.Array, labels []float64) arrow.Record {
	t.Helper()
	lb := array.NewFloat64Builder(mem)
	defer lb.Release()
	lb.AppendValues(labels, nil)
	la := lb.NewArray()
	defer la.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "f", Type: features.DataType(), Nullable: true}, {Name: "y", Type: arrow.PrimitiveTypes.Float64}}, nil)
	return array.NewRecord(schema, []arrow.Array{features, la}, int64(features.Len()))
}

// densify returns m as row-major values.
func densify(m *CSR) []float64 {
	x := make([]float64, m.N*m.D)
	for i := range m.N {
		idx, val := m.Row(i)
		for k, j := range idx {
			x[i*m.D+int(j)] = val[k]
		}
	}
	return x
}

func TestReadKeepSparse(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := []table.SparseVector{
		{Size: 5, Indices: []int32{0, 3}, Values: []float64{1, -2}},
		{Size: 5},
		{Size: 5, Indices: []int32{1, 2, 4}, Values: []float64{0.5, 0, 7}},
		{Size: 5, Indices: []int32{4}, Values: []float64{3}},
		{Size: 5, Indices: []int32{0, 1, 2, 3, 4}, Values: []float64{1, 2, 3, 4, 5}},
	}
	y := []float64{0, 1, 0, 1, 1}
	w := []float64{1, 2, 3, 4, 5}
	var recs []arrow.Record
	for _, r := range [][2]int{{0, 2}, {2, 3}, {3, 5}} {
		rec, err := table.Build(mem, table.SparseCol("f", rows[r[0]:r[1]]), table.Col("y", y[r[0]:r[1]]), table.Col("w", w[r[0]:r[1]]))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		recs = append(recs, rec)
	}
	tbl, err := table.New(recs[0].Schema(), recs...)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	r := tbl.Reader()
	sp, err := ReadKeepSparse(r, "f", "y", "w")
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	r = tbl.Reader()
	de, err := Read(r, "f", "y", "w")
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	if sp.X != nil || sp.Sparse == nil || sp.N != 5 || sp.D != 5 || sp.Sparse.N != 5 || sp.Sparse.D != 5 {
		t.Fatalf("sparse read: X %v, Sparse %+v, N %d, D %d", sp.X, sp.Sparse, sp.N, sp.D)
	}
	if got := sp.Sparse.NNZ(); got != 11 {
		t.Errorf("NNZ %d, want 11", got)
	}
	if !slices.Equal(densify(sp.Sparse), de.X) || !slices.Equal(sp.Y, de.Y) || !slices.Equal(sp.W, de.W) {
		t.Errorf("sparse read %v %v %v, dense read %v %v %v", densify(sp.Sparse), sp.Y, sp.W, de.X, de.Y, de.W)
	}
	// A dense column reads as Read does.
	drec, err := table.Build(mem, table.DenseCol("f", 2, [][]float64{{1, 2}, {3, 4}}), table.Col("y", []float64{0, 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer drec.Release()
	dt, _ := table.New(drec.Schema(), drec)
	defer dt.Release()
	r = dt.Reader()
	dd, err := ReadKeepSparse(r, "f", "y", "")
	r.Release()
	if err != nil || dd.Sparse != nil || !slices.Equal(dd.X, []float64{1, 2, 3, 4}) {
		t.Errorf("dense column: %+v, %v", dd, err)
	}
}

// TestSparseFeaturesZeroCopy checks that the CSR view of a (sliced) batch
// aliases the column's indices and values.
func TestSparseFeaturesZeroCopy(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := []table.SparseVector{
		{Size: 4, Indices: []int32{0}, Values: []float64{1}},
		{Size: 4, Indices: []int32{1, 3}, Values: []float64{2, 3}},
		{Size: 4},
		{Size: 4, Indices: []int32{2}, Values: []float64{4}},
	}
	rec, err := table.Build(mem, table.SparseCol("f", rows))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	sl := rec.NewSlice(1, 4)
	defer sl.Release()
	var m CSR
	if err := SparseFeatures(sl, "f", 4, 1, &m); err != nil {
		t.Fatal(err)
	}
	if m.N != 3 || m.D != 4 || !slices.Equal(m.Offsets, []int64{0, 2, 2, 3}) ||
		!slices.Equal(m.Indices, []int32{1, 3, 2}) || !slices.Equal(m.Values, []float64{2, 3, 4}) {
		t.Fatalf("view %+v", m)
	}
	all := rec.Column(0).(*array.Struct).Field(2).(*array.List).ListValues().(*array.Float64).Float64Values()
	if &m.Values[0] != &all[1] {
		t.Error("values are copied, want a view of the column")
	}
	// Empty batch.
	empty := rec.NewSlice(2, 2)
	defer empty.Release()
	if err := SparseFeatures(empty, "f", 4, 0, &m); err != nil || m.N != 0 || m.NNZ() != 0 {
		t.Errorf("empty batch: %+v, %v", m, err)
	}
}

func TestSparseErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name  string
		sizes []int32
		idx   [][]int32
		vals  [][]float64
		valid []bool
		want  string
		// wantDense is the error of the densifying path (Features),
		// when it reports the same problem.
		wantDense string
	}{
		{"nan", []int32{3, 3}, [][]int32{{0}, {1, 2}}, [][]float64{{1}, {2, nan}}, nil,
			`column "f" row 1: feature 2 is NaN`, `column "f" row 1: feature 2 is NaN`},
		{"inf", []int32{3}, [][]int32{{1}}, [][]float64{{inf}}, nil,
			`column "f" row 0: feature 1 is +Inf`, `column "f" row 0: feature 1 is +Inf`},
		{"index out of range", []int32{3, 3}, [][]int32{{0}, {3}}, [][]float64{{1}, {1}}, nil,
			`column "f" row 1: index 3 out of range [0, 3)`, `column "f" row 1: index 3 out of range [0, 3)`},
		{"negative index", []int32{3}, [][]int32{{-1}}, [][]float64{{1}}, nil,
			`column "f" row 0: index -1 out of range [0, 3)`, `column "f" row 0: index -1 out of range [0, 3)`},
		{"sizes differ", []int32{3, 4}, [][]int32{{0}, {0}}, [][]float64{{1}, {1}}, nil,
			`column "f" row 1: vector of size 4, want 3`, `column "f" row 1: vector of size 4, want 3`},
		{"indices and values differ", []int32{3, 3}, [][]int32{{0}, {0, 1}}, [][]float64{{1}, {1}}, nil,
			`column "f" row 1: sparse vector has 2 indices but 1 values`, `column "f" row 1: sparse vector has 2 indices but 1 values`},
		{"not increasing", []int32{3}, [][]int32{{2, 1}}, [][]float64{{1, 1}}, nil,
			`column "f" row 0: index 1 after 2, want strictly increasing indices`, ""},
		{"null vector", []int32{3, 3}, [][]int32{{0}, nil}, [][]float64{{1}, nil}, []bool{true, false},
			`column "f" row 1: null feature vector`, `column "f" row 1: null feature vector`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			arr := rawSparse(mem, c.sizes, c.idx, c.vals, c.valid)
			defer arr.Release()
			rec := record(t, mem, arr, make([]float64, arr.Len()))
			defer rec.Release()
			var m CSR
			err := SparseFeatures(rec, "f", -1, 0, &m)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("SparseFeatures: %v, want %q", err, c.want)
			}
			tbl, _ := table.New(rec.Schema(), rec)
			defer tbl.Release()
			r := tbl.Reader()
			defer r.Release()
			if _, err := ReadKeepSparse(r, "f", "y", ""); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ReadKeepSparse: %v, want %q", err, c.want)
			}
			if c.wantDense != "" {
				if _, _, err := Features(rec, "f", -1, 0, nil); err == nil || !strings.Contains(err.Error(), c.wantDense) {
					t.Errorf("Features: %v, want %q", err, c.wantDense)
				}
			}
		})
	}
	// A size other than the wanted one, and across batches.
	arr := rawSparse(mem, []int32{3}, [][]int32{{0}}, [][]float64{{1}}, nil)
	defer arr.Release()
	rec := record(t, mem, arr, []float64{0})
	defer rec.Release()
	var m CSR
	if err := SparseFeatures(rec, "f", 5, 10, &m); err == nil || err.Error() != `column "f" row 10: vector of size 3, want 5` {
		t.Errorf("want size 5: %v", err)
	}
	arr2 := rawSparse(mem, []int32{4}, [][]int32{{0}}, [][]float64{{1}}, nil)
	defer arr2.Release()
	rec2 := record(t, mem, arr2, []float64{1})
	defer rec2.Release()
	tbl, _ := table.New(rec.Schema(), rec, rec2)
	defer tbl.Release()
	r := tbl.Reader()
	defer r.Release()
	if _, err := ReadKeepSparse(r, "f", "y", ""); err == nil || err.Error() != `column "f" row 1: vector of size 4, want 3` {
		t.Errorf("sizes across batches: %v", err)
	}
	// A dense column is not sparse.
	if err := SparseFeatures(rec, "y", -1, 0, &m); err == nil || !strings.Contains(err.Error(), "want a sparse vector") {
		t.Errorf("float column: %v", err)
	}
}

// FuzzSparseFeatures decodes sparse vector columns of arbitrary contents
// (sizes, indices, values, null rows, a slice of the batch) and checks
// that SparseFeatures never panics, fails exactly where the densifying
// Features fails (apart from unsorted indices, which only it rejects),
// and otherwise returns the rows Features densifies.
func FuzzSparseFeatures(f *testing.F) {
	f.Add([]byte{3, 2, 0, 1, 10, 2, 2, 1, 20, 0, 0, 3}, uint8(0), uint8(2))
	f.Add([]byte{4, 1, 3, 255, 4, 2, 0, 0, 1, 1}, uint8(1), uint8(1))
	f.Add([]byte{2, 2, 1, 0, 5, 6}, uint8(0), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, off, length uint8) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b)
		}
		var sizes []int32
		var idx [][]int32
		var vals [][]float64
		var valid []bool
		for len(data) > 0 && len(sizes) < 64 {
			size := next() % 8
			nnz := next() % 6
			nv := nnz
			if next()%16 == 0 {
				nv = (nnz + 1) % 6 // mismatched lengths
			}
			var ix []int32
			var vs []float64
			for range nnz {
				ix = append(ix, int32(next()%12)-2)
			}
			for range nv {
				switch v := next(); v {
				case 250:
					vs = append(vs, math.NaN())
				case 251:
					vs = append(vs, math.Inf(-1))
				default:
					vs = append(vs, float64(v)-100)
				}
			}
			sizes, idx, vals = append(sizes, int32(size)), append(idx, ix), append(vals, vs)
			valid = append(valid, next()%32 != 0)
		}
		arr := rawSparse(mem, sizes, idx, vals, valid)
		defer arr.Release()
		rec := record(t, mem, arr, make([]float64, arr.Len()))
		defer rec.Release()
		n := int(rec.NumRows())
		lo := int(off) % (n + 1)
		hi := lo + int(length)%(n-lo+1)
		sl := rec.NewSlice(int64(lo), int64(hi))
		defer sl.Release()
		var m CSR
		serr := SparseFeatures(sl, "f", -1, 0, &m)
		x, dim, derr := Features(sl, "f", -1, 0, nil)
		if derr != nil {
			if serr == nil {
				t.Fatalf("Features: %v, SparseFeatures: no error", derr)
			}
			return
		}
		if serr != nil {
			if !strings.Contains(serr.Error(), "strictly increasing") {
				t.Fatalf("SparseFeatures: %v, Features: no error", serr)
			}
			return
		}
		if m.N != hi-lo || m.D != dim || !slices.Equal(densify(&m), x) {
			t.Fatalf("CSR %+v densifies to %v, Features %v (dim %d)", m, densify(&m), x, dim)
		}
	})
}
