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

func TestOwn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewFloat64Builder(mem)
	b.AppendValues([]float64{1, 2}, nil)
	x := b.NewArray()
	b.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	if _, err := Own(schema, []arrow.Array{x}, 3); err == nil {
		t.Fatal("short column: no error")
	}
	rec, err := Own(schema, []arrow.Array{x}, 2) // takes our reference
	if err != nil {
		t.Fatal(err)
	}
	if rec.NumRows() != 2 || rec.Column(0) != x {
		t.Fatalf("record %v", rec)
	}
	rec.Release() // frees x: the checked allocator sees it
}

func TestExtend(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	col := func(vals ...float64) arrow.Array {
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		b.AppendValues(vals, nil)
		return b.NewArray()
	}
	x, y, z := col(1, 2, 3), col(4, 5, 6), col(7, 8)
	f := func(n string) arrow.Field { return arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Float64} }
	s1 := arrow.NewSchema([]arrow.Field{f("x")}, nil)
	s2 := arrow.NewSchema([]arrow.Field{f("x"), f("y")}, nil)
	parent, err := New(s1, []arrow.Array{x}, 3)
	if err != nil {
		t.Fatal(err)
	}
	x.Release()
	rec, err := Extend(s2, parent, y)
	if err != nil {
		t.Fatal(err)
	}
	y.Release()
	parent.Release() // rec keeps it
	if rec.NumRows() != 3 || rec.NumCols() != 2 || rec.ColumnName(1) != "y" || rec.Column(0) != x || rec.Column(1) != y {
		t.Fatalf("record %v", rec)
	}
	if cols := rec.Columns(); len(cols) != 2 || cols[0] != x || cols[1] != y || &rec.Columns()[0] != &cols[0] {
		t.Fatalf("columns %v", cols)
	}
	js, err := rec.MarshalJSON()
	if err != nil || string(js) != `[{"x":1,"y":4}`+"\n"+`,{"x":2,"y":5}`+"\n"+`,{"x":3,"y":6}`+"\n"+`]` {
		t.Errorf("json %q %v", js, err)
	}
	// A record extending an extended one.
	s3 := arrow.NewSchema([]arrow.Field{f("x"), f("y"), f("w")}, nil)
	w := col(0, 0, 0)
	rec3, err := Extend(s3, rec, w)
	w.Release()
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	if rec3.Column(0).(*array.Float64).Value(2) != 3 || rec3.Column(2) != w || len(rec3.Columns()) != 3 {
		t.Errorf("nested %v", rec3)
	}
	for _, tc := range []struct {
		name  string
		s     *arrow.Schema
		extra []arrow.Array
	}{{"count", s3, []arrow.Array{z}}, {"short", s2, []arrow.Array{z}}, {"nil", s2, []arrow.Array{nil}}} {
		p, _ := New(s1, []arrow.Array{rec3.Column(0)}, 3)
		if r, err := Extend(tc.s, p, tc.extra...); err == nil {
			t.Errorf("%s: no error", tc.name)
			r.Release()
		}
		p.Release()
	}
	z.Release()
	rec3.Release() // releases everything: the checked allocator sees it
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
