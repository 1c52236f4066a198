package arrowipc_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/arrowipc"
)

// Write an IPC file and read it back in batches of two rows, resuming at
// row 3 as a checkpoint restore would.
func Example() {
	dir, _ := os.MkdirTemp("", "arrowipc")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "data.arrow")

	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	w, _ := arrowipc.Create(path, schema, arrowipc.WriterOptions{})
	for batch := 0; batch < 2; batch++ {
		b.AppendValues([]int64{int64(3 * batch), int64(3*batch + 1), int64(3*batch + 2)}, nil)
		col := b.NewArray()
		rec := array.NewRecord(schema, []arrow.Array{col}, 3)
		w.Write(rec)
		rec.Release()
		col.Release()
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}

	src, err := connectors.Open(context.Background(), path, connectors.ReadOptions{BatchSize: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Release()
	for src.Next() {
		fmt.Println(src.Record().Column(0))
	}
	r := src.(*arrowipc.Reader)
	r.SeekRow(3)
	r.Next()
	fmt.Println("after seek:", r.Record().Column(0), "offset", r.Offset())
	// Output:
	// [0 1]
	// [2]
	// [3 4]
	// [5]
	// after seek: [3 4] offset 5
}
