package trustedrec

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

func TestNew(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewFloat64Builder(mem)
	b.AppendValues([]float64{1, 2, 3}, nil)
	x := b.NewArray()
	b.Release()
	defer x.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)

	rec, err := New(schema, []arrow.Array{x}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if rec.NumRows() != 3 || rec.NumCols() != 1 || rec.ColumnName(0) != "x" || rec.Column(0) != x {
		t.Fatalf("record %v", rec)
	}
	js, err := rec.MarshalJSON()
	if err != nil || string(js) != `[{"x":1}`+"\n"+`,{"x":2}`+"\n"+`,{"x":3}`+"\n"+`]` {
		t.Errorf("json %q %v", js, err)
	}
	s := rec.NewSlice(1, 3)
	if s.NumRows() != 2 || s.Column(0).(*array.Float64).Value(0) != 2 {
		t.Errorf("slice %v", s)
	}
	s.Release()
	rec.Retain()
	rec.Release()
	rec.Release()

	for _, tc := range []struct {
		name string
		cols []arrow.Array
		rows int64
	}{{"count", nil, 3}, {"short", []arrow.Array{x}, 4}} {
		if _, err := New(schema, tc.cols, tc.rows); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func BenchmarkNew100(b *testing.B) {
	mem := memory.NewGoAllocator()
	fb := array.NewFloat64Builder(mem)
	fb.Append(1)
	x := fb.NewArray()
	fields := make([]arrow.Field, 100)
	cols := make([]arrow.Array, 100)
	for i := range fields {
		fields[i] = arrow.Field{Name: string(rune('a' + i)), Type: arrow.PrimitiveTypes.Float64}
		cols[i] = x
	}
	schema := arrow.NewSchema(fields, nil)
	b.Run("trusted", func(b *testing.B) {
		for b.Loop() {
			r, _ := New(schema, cols, 1)
			r.Release()
		}
	})
	b.Run("array.NewRecord", func(b *testing.B) {
		for b.Loop() {
			array.NewRecord(schema, cols, 1).Release()
		}
	})
}
