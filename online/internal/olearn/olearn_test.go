package olearn

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

func TestCodecRoundTrip(t *testing.T) {
	e := NewEnc("TESTSNAP", 3, 0)
	nan := math.Float64frombits(0x7ff8000000000123)
	e.F64(nan)
	e.I64(-7)
	e.Bool(true)
	e.F64s([]float64{1, math.Inf(-1), math.Copysign(0, -1)})
	e.U32(9)
	d, v, err := NewDec(e.B, "TESTSNAP")
	if err != nil || v != 3 {
		t.Fatalf("NewDec: %v version %d", err, v)
	}
	if got := d.F64(); math.Float64bits(got) != math.Float64bits(nan) {
		t.Errorf("NaN payload lost: %x", math.Float64bits(got))
	}
	if d.I64() != -7 || !d.Bool() {
		t.Error("int or bool lost")
	}
	s := d.F64s(10)
	if len(s) != 3 || s[0] != 1 || !math.IsInf(s[1], -1) || !math.Signbit(s[2]) {
		t.Errorf("slice %v", s)
	}
	if d.U32() != 9 || d.Err() != nil {
		t.Errorf("tail: %v", d.Err())
	}
	for _, b := range [][]byte{e.B[:len(e.B)-1], append(append([]byte{}, e.B...), 0)} {
		d, _, err := NewDec(b, "TESTSNAP")
		if err != nil {
			t.Fatal(err)
		}
		d.F64()
		d.I64()
		d.Bool()
		d.F64s(10)
		d.U32()
		if d.Err() == nil {
			t.Errorf("%d bytes: want an error", len(b))
		}
	}
	if _, _, err := NewDec(e.B, "OTHERSNP"); err == nil {
		t.Error("wrong magic: want an error")
	}
	d, _, _ = NewDec(e.B, "TESTSNAP")
	d.F64()
	d.I64()
	d.Bool()
	if d.F64s(2) != nil || d.Err() == nil {
		t.Error("slice longer than maxLen: want an error")
	}
}

func TestReadFeaturesAndLabels(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sparse := func(vecs []table.SparseVector, valid []bool) arrow.Record {
		r, err := table.Build(mem, table.NullableSparseCol("f", vecs, valid), table.Col("y", []int32{1, 0}))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	good := []table.SparseVector{{Size: 4, Indices: []int32{1, 3}, Values: []float64{1, 2}}, {Size: 4}}
	r := sparse(good, nil)
	defer r.Release()
	f, err := ReadFeatures(r, "f", 0, 0)
	if err != nil || !f.IsSparse || f.Dim != 4 || f.N != 2 {
		t.Fatalf("ReadFeatures: %+v %v", f, err)
	}
	if idx, vals := f.SparseRow(0); len(idx) != 2 || vals[1] != 2 {
		t.Errorf("row 0: %v %v", idx, vals)
	}
	y, err := Labels(r, "y", 0, nil)
	if err != nil || y[0] != 1 || y[1] != 0 {
		t.Errorf("labels %v %v", y, err)
	}
	for i, tc := range []struct {
		rec  arrow.Record
		want int
		msg  string
	}{
		{sparse(good, []bool{true, false}), 0, `column "f" row 11: null feature vector`},
		{sparse([]table.SparseVector{{Size: 4, Indices: []int32{1}, Values: []float64{math.NaN()}}, {Size: 4}}, nil), 0, `column "f" row 10: feature 1 is NaN`},
		{sparse([]table.SparseVector{{Size: 4}, {Size: 5}}, nil), 0, `column "f" row 11: vector of size 5, want 4`},
		{sparse(good, nil), 8, `column "f" row 10: vector of size 4, want 8`},
	} {
		_, err := ReadFeatures(tc.rec, "f", tc.want, 10)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%d: %v, want %q", i, err, tc.msg)
		}
		tc.rec.Release()
	}
	d, err := table.Build(mem, table.DenseCol("f", 2, [][]float64{{1, 2}, {3, math.Inf(1)}}), table.Col("y", []string{"a", "b"}))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	if _, err := ReadFeatures(d, "f", 0, 0); err == nil || !strings.Contains(err.Error(), `row 1: feature 1 is +Inf`) {
		t.Errorf("dense inf: %v", err)
	}
	if _, err := ReadFeatures(d, "y", 0, 0); err == nil || !strings.Contains(err.Error(), "want a dense or sparse vector") {
		t.Errorf("string features: %v", err)
	}
	if _, err := Labels(d, "y", 0, nil); err == nil || !strings.Contains(err.Error(), "want a number") {
		t.Errorf("string labels: %v", err)
	}
	if _, err := ReadFeatures(d, "missing", 0, 0); err == nil {
		t.Error("missing column: want an error")
	}
	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues([]bool{true, false}, nil)
	bb.AppendNull()
	ba := bb.NewArray()
	bb.Release()
	br := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "y", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}}, nil), []arrow.Array{ba}, 3)
	ba.Release()
	defer br.Release()
	if _, err := Labels(br, "y", 5, nil); err == nil || !strings.Contains(err.Error(), `column "y" row 7: null label`) {
		t.Errorf("null label: %v", err)
	}
	s := br.NewSlice(0, 2)
	defer s.Release()
	if y, err := Labels(s, "y", 0, nil); err != nil || y[0] != 1 || y[1] != 0 {
		t.Errorf("bool labels %v %v", y, err)
	}
}
