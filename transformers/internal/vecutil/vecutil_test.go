package vecutil

import (
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

func TestVectorsDenseAndSparse(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem,
		table.DenseCol("d", 3, [][]float64{{1, 2, 3}, {4, 5, 6}}),
		table.SparseCol("s", []table.SparseVector{{Size: 3, Indices: []int32{1}, Values: []float64{7}}, {Size: 3}}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	want := [][][]float64{{{1, 2, 3}, {4, 5, 6}}, {{0, 7, 0}, {0, 0, 0}}}
	dst := make([]float64, 3)
	for c := 0; c < 2; c++ {
		v, err := NewVectors(rec.Column(c))
		if err != nil {
			t.Fatal(err)
		}
		if v.IsSparse() != (c == 1) || v.Len() != 2 || v.RowDim(0) != 3 {
			t.Fatalf("col %d: sparse=%v len=%d dim=%d", c, v.IsSparse(), v.Len(), v.RowDim(0))
		}
		for i := 0; i < 2; i++ {
			dst[0] = 99 // Row must overwrite every entry
			if err := v.Row(i, dst); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(dst, want[c][i]) {
				t.Errorf("col %d row %d: got %v, want %v", c, i, dst, want[c][i])
			}
		}
		if err := v.Row(0, make([]float64, 2)); err == nil {
			t.Errorf("col %d: wrong dst length accepted", c)
		}
	}
	if _, _, err := VectorField(rec.Schema(), "nope"); err == nil {
		t.Error("missing column accepted")
	}
	if _, dim, err := VectorField(rec.Schema(), "s"); err != nil || dim != -1 {
		t.Errorf("sparse field: dim %d err %v", dim, err)
	}
}

func TestDenseOutputAndAppend(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := table.Build(mem, table.NullableCol("x", []int32{1, 2, 3}, []bool{true, false, true}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	xs, err := Float64Column(nil, rec.Column(0))
	if err != nil {
		t.Fatal(err)
	}
	if xs[0] != 1 || xs[2] != 3 || !rec.Column(0).IsNull(1) {
		t.Fatalf("Float64Column: %v", xs)
	}
	o := NewDenseOutput(mem, 3, 2)
	for i := 0; i < 3; i++ {
		if rec.Column(0).IsNull(i) {
			o.SetNull(i)
			continue
		}
		row := o.Row(i)
		row[0], row[1] = xs[i], -xs[i]
	}
	col := o.Finish()
	defer col.Release()
	schema, err := AppendFields(rec.Schema(), DenseField("v", 2))
	if err != nil {
		t.Fatal(err)
	}
	out, err := AppendColumns(schema, rec, col)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	got := table.Rows(out)
	if got[1]["v"] != nil || col.NullN() != 1 {
		t.Errorf("row 1 not null: %v", got[1])
	}
	vals, _, err := table.DenseVectors(out.Column(1))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(vals, []float64{1, -1, 0, 0, 3, -3}) {
		t.Errorf("values %v", vals)
	}
	if _, err := AppendFields(rec.Schema(), Float64Field("x")); err == nil {
		t.Error("duplicate output column accepted")
	}
	dc, err := DenseColumn(mem, []float64{1, 2, 3, 4}, 2, []bool{true, false})
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Release()
	if dc.Len() != 2 || dc.NullN() != 1 || dc.DataType().(*arrow.FixedSizeListType).Len() != 2 {
		t.Errorf("DenseColumn: len %d nulls %d", dc.Len(), dc.NullN())
	}
	if _, err := DenseColumn(mem, []float64{1, 2, 3}, 2, nil); err == nil {
		t.Error("ragged values accepted")
	}
	if e := RowError("x", 3, nil, "boom"); !strings.Contains(e.Error(), `column "x" row 3`) {
		t.Error(e)
	}
	f, err := Filter(mem, rec, []bool{true, false, true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if f.NumRows() != 2 {
		t.Errorf("filter kept %d rows", f.NumRows())
	}
}
