package parquet_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	pqconn "github.com/eddyml/eddy/connectors/parquet"
)

// Write a file with a dense vector column and a column role in field
// metadata, then read it back from row 2 on.
func Example() {
	dir, _ := os.MkdirTemp("", "parquet")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "train.parquet")

	schema := arrow.NewSchema([]arrow.Field{
		{Name: "y", Type: arrow.PrimitiveTypes.Float64,
			Metadata: arrow.NewMetadata([]string{"eddy.role"}, []string{"label"})},
		{Name: "features", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float64)},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.Float64Builder).AppendValues([]float64{0, 1, 1, 0}, nil)
	fb := b.Field(1).(*array.FixedSizeListBuilder)
	fb.AppendValues([]bool{true, true, true, true})
	fb.ValueBuilder().(*array.Float64Builder).AppendValues([]float64{1, 2, 3, 4, 5, 6, 7, 8}, nil)
	rec := b.NewRecord()
	defer rec.Release()

	w, err := pqconn.Create(path, schema, pqconn.WriterOptions{RowGroupRows: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	w.Write(rec)
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}

	src, err := connectors.Open(context.Background(), path, connectors.ReadOptions{BatchSize: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Release()
	role, _ := src.Schema().Field(0).Metadata.GetValue("eddy.role")
	fmt.Println("role of y:", role, "| features:", src.Schema().Field(1).Type)
	r := src.(*pqconn.Reader)
	r.SeekRow(2)
	for r.Next() {
		out := r.Record()
		for i := 0; i < int(out.NumRows()); i++ {
			fmt.Println(out.Column(0).ValueStr(i), out.Column(1).ValueStr(i))
		}
	}
	fmt.Println("offset:", r.Offset(), "err:", r.Err())
	// Output:
	// role of y: label | features: fixed_size_list<item: float64, nullable>[2]
	// 1 [5,6]
	// 0 [7,8]
	// offset: 4 err: <nil>
}
