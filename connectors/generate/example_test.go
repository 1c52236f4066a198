package generate_test

import (
	"fmt"
	"log"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/eddyml/eddy/connectors/generate"
)

func ExampleNew() {
	src, err := generate.New(generate.Config{
		Kind:           generate.Classification,
		Seed:           7,
		Rows:           5,
		BatchSize:      3,
		NumNumeric:     2,
		NumCategorical: 1,
		Cardinality:    []int{20},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Release()
	fmt.Println(src.Schema().Field(3).Name, src.Schema().Field(4).Name)
	for src.Next() {
		rec := src.Record()
		x0 := rec.Column(0).(*array.Float64)
		c0 := rec.Column(2).(*array.String)
		label := rec.Column(3).(*array.Int64)
		ts := rec.Column(4).(*array.Timestamp)
		for i := 0; i < int(rec.NumRows()); i++ {
			fmt.Printf("x0=%.4f c0=%s label=%d ts=%s\n", x0.Value(i), c0.Value(i), label.Value(i),
				ts.Value(i).ToTime(arrow.Millisecond).Format("15:04:05"))
		}
	}
	if err := src.Err(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows:", src.Offset())
	// Output:
	// label ts
	// x0=-0.0604 c0=c0_2 label=1 ts=00:00:00
	// x0=0.5976 c0=c0_19 label=0 ts=00:00:01
	// x0=-0.3379 c0=c0_4 label=0 ts=00:00:02
	// x0=-0.3634 c0=c0_7 label=1 ts=00:00:03
	// x0=-0.7713 c0=c0_2 label=1 ts=00:00:04
	// rows: 5
}

func ExampleSource_SeekRow() {
	src, err := generate.New(generate.Config{Kind: generate.Blobs, Seed: 1, K: 3, BatchSize: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Release()
	// An unbounded stream: jump straight to row 1e12 (O(1)) and read a batch.
	if err := src.SeekRow(1_000_000_000_000); err != nil {
		log.Fatal(err)
	}
	if src.Next() {
		rec := src.Record()
		fmt.Println(rec.NumRows(), "rows; clusters", rec.Column(2).(*array.Int64).Int64Values())
	}
	fmt.Println("offset:", src.Offset())
	// Output:
	// 2 rows; clusters [2 2]
	// offset: 1000000000002
}
