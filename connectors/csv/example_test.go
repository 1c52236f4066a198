package csv_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/csv"
)

func ExampleNewReader() {
	in := "city,temp,rain\nOslo,3.5,true\n\"Paris, FR\",NA,false\n"
	r, err := csv.NewReader(context.Background(), strings.NewReader(in), csv.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Release()
	fmt.Println(r.Schema().Field(0).Type, r.Schema().Field(1).Type, r.Schema().Field(2).Type)
	for r.Next() {
		rec := r.Record()
		city := rec.Column(0).(*array.String)
		temp := rec.Column(1).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			fmt.Println(city.Value(i), temp.IsNull(i), temp.Value(i))
		}
	}
	fmt.Println(r.Err())
	// Output:
	// utf8 float64 bool
	// Oslo false 3.5
	// Paris, FR true 0
	// <nil>
}

func ExampleNewReader_badRow() {
	in := "id,score\n1,0.5\n2,high\n3,0.7\n"
	schema := arrow.NewSchema([]arrow.Field{{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	var dead strings.Builder
	r, err := csv.NewReader(context.Background(), strings.NewReader(in), csv.Options{
		Name:        "scores.csv",
		ReadOptions: connectors.ReadOptions{Schema: schema, OnError: connectors.Skip, DeadLetter: &dead},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Release()
	for r.Next() {
		fmt.Println("rows:", r.Record().NumRows())
	}
	fmt.Printf("skipped %d: %q\n", r.Skipped(), dead.String())

	// The same file under the default Fail policy.
	r2, _ := csv.NewReader(context.Background(), strings.NewReader(in), csv.Options{Name: "scores.csv",
		ReadOptions: connectors.ReadOptions{Schema: schema}})
	defer r2.Release()
	for r2.Next() {
	}
	fmt.Println(r2.Err())
	// Output:
	// rows: 2
	// skipped 1: "2,high\n"
	// scores.csv:line 3, column 2 (score), value "high": not a float64
}

func ExampleCreate() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "out.csv")
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"a,b", ""}, []bool{true, false})
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{0.1, 2}, nil)
	rec := b.NewRecord()
	defer rec.Release()

	w, err := csv.Create(path, schema, csv.WriterOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Write(rec); err != nil {
		fmt.Println(err)
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	text, _ := os.ReadFile(path)
	fmt.Print(string(text))
	// Output:
	// name,x
	// "a,b",0.1
	// ,2
}
