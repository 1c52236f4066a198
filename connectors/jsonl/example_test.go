package jsonl_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/jsonl"
)

// Reading infers the schema from the first lines: integral numbers are
// int64, equal-length number arrays are dense vectors.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "jsonl")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "points.jsonl")
	os.WriteFile(path, []byte(`{"id": 1, "x": [0.5, 1.5], "label": "a"}
{"id": 2, "x": [2, -1], "label": null}
`), 0o644)

	src, err := jsonl.Open(context.Background(), path, jsonl.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Release()
	for _, f := range src.Schema().Fields() {
		fmt.Printf("%s: %s\n", f.Name, f.Type)
	}
	for src.Next() {
		rec := src.Record()
		for i := 0; i < int(rec.NumRows()); i++ {
			fmt.Println(rec.Column(0).ValueStr(i), rec.Column(1).ValueStr(i), rec.Column(2).ValueStr(i))
		}
	}
	fmt.Println("err:", src.Err())
	// Output:
	// id: int64
	// x: fixed_size_list<item: float64, nullable>[2]
	// label: utf8
	// 1 [0.5,1.5] a
	// 2 [2,-1] (null)
	// err: <nil>
}

// A bad row names the file, line, column and value; under the Skip
// policy it is counted and sent to the dead-letter writer instead.
func ExampleOpen_badRow() {
	dir, _ := os.MkdirTemp("", "jsonl")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(path, []byte("{\"n\": 1}\n{\"n\": \"two\"}\n{\"n\": 3}\n"), 0o644)
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)

	src, _ := connectors.Open(context.Background(), path, connectors.ReadOptions{Schema: schema})
	for src.Next() {
	}
	var re *connectors.RowError
	if errors.As(src.Err(), &re) {
		fmt.Println("line", re.Line, "column", re.Column, "value", re.Value, "-", re.Err)
	}
	src.Release()

	src, _ = connectors.Open(context.Background(), path, connectors.ReadOptions{Schema: schema, OnError: connectors.Skip, DeadLetter: os.Stdout})
	for src.Next() {
		fmt.Println("rows:", src.Record().NumRows())
	}
	fmt.Println("skipped:", src.Skipped())
	src.Release()
	// Output:
	// line 2 column n value "two" - want an integer
	// {"n": "two"}
	// rows: 2
	// skipped: 1
}

// The writer puts one object per line; floats keep a ".0" so they read
// back as floats.
func ExampleNewWriter() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "v", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float64), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.Float64Builder).AppendValues([]float64{1, 0.25}, []bool{true, false})
	vb := b.Field(1).(*array.FixedSizeListBuilder)
	vb.AppendValues([]bool{true, true})
	vb.ValueBuilder().(*array.Float64Builder).AppendValues([]float64{1, 2, 3.5, 4}, nil)
	rec := b.NewRecord()
	defer rec.Release()

	w, _ := jsonl.NewWriter(os.Stdout, schema, jsonl.WriterOptions{})
	w.Write(rec)
	w.Close()
	// Output:
	// {"x":1.0,"v":[1.0,2.0]}
	// {"x":null,"v":[3.5,4.0]}
}
