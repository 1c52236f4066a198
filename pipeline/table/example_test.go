package table_test

import (
	"fmt"
	"os"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/table"
)

func exampleRecord(mem memory.Allocator) (arrow.Record, error) {
	ts := []time.Time{
		time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 1, 9, 0, 1, 0, time.UTC),
		time.Date(2026, 3, 1, 9, 0, 2, 500e6, time.UTC),
		time.Date(2026, 3, 1, 9, 0, 3, 0, time.UTC),
	}
	return table.Build(mem,
		table.Col("user", []string{"alice", "bob", "a rather long user name that is cut", "alice"}).WithRole(table.RoleKey),
		table.TimestampCol("at", arrow.Millisecond, "", ts, nil).WithRole(table.RoleTimestamp),
		table.NullableCol("amount", []float64{12.5, 0.000123, 1e9, 3}, []bool{true, true, true, false}).WithRole(table.RoleFeature),
		table.DenseCol("emb", 5, [][]float64{{1, 2, 3, 4, 5}, {0.5, 0.25, 0, 0, 1}, nil, {1, 1, 1, 1, 1}}).WithRole(table.RoleFeature),
		table.SparseCol("words", []table.SparseVector{
			{Size: 100, Indices: []int32{3, 42}, Values: []float64{1, 2}},
			{Size: 100},
			{Size: 100, Indices: []int32{7}, Values: []float64{0.5}},
			{Size: 100, Indices: []int32{1, 2, 3, 4, 5}, Values: []float64{1, 1, 1, 1, 1}},
		}),
		table.Col("label", []int64{1, 0, 1, 0}).WithRole(table.RoleLabel),
	)
}

func ExampleFormatHead() {
	mem := memory.NewGoAllocator()
	rec, err := exampleRecord(mem)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	tbl, err := table.New(rec.Schema(), rec, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tbl.Release()
	if err := tbl.FormatHead(os.Stdout, 5); err != nil {
		fmt.Println(err)
	}
	// Output:
	// user    utf8 [key]
	// at      timestamp[ms] [timestamp]
	// amount  float64 [feature]
	// emb     dense_vector[5] [feature]
	// words   sparse_vector
	// label   int64 [label]
	//
	//    user                      at                       amount  emb               words                     label
	// 0  alice                     2026-03-01 09:00:00        12.5  [1 2 3 4 …]       (100)[3:1 42:2]               1
	// 1  bob                       2026-03-01 09:00:01    0.000123  [0.5 0.25 0 0 …]  (100)[]                       0
	// 2  a rather long user name…  2026-03-01 09:00:02.5     1e+09  null              (100)[7:0.5]                  1
	// 3  alice                     2026-03-01 09:00:03        null  [1 1 1 1 …]       (100)[1:1 2:1 3:1 4:1 …]      0
	// 4  alice                     2026-03-01 09:00:00        12.5  [1 2 3 4 …]       (100)[3:1 42:2]               1
	// [5 of 8 rows x 6 columns]
}

func ExampleTake() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem, table.Col("x", []float64{10, 20, 30}), table.Col("s", []string{"a", "b", "c"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	out, err := table.Take(mem, rec, []int{2, 0, 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	fmt.Println(table.Rows(out))
	// Output:
	// [map[s:c x:30] map[s:a x:10] map[s:c x:30]]
}

func ExampleFilter() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem, table.Col("x", []int64{1, 2, 3, 4}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	x, err := table.Int64s(rec.Column(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	mask := make([]bool, len(x))
	for i, v := range x {
		mask[i] = v%2 == 0
	}
	even, err := table.Filter(mem, rec, mask)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer even.Release()
	fmt.Println(table.Row(even, 0), table.Row(even, 1))
	// Output:
	// [2] [4]
}

func ExamplePartitionByHash() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem, table.Col("user", []string{"a", "b", "a", "c", "b"}), table.Col("n", []int64{1, 2, 3, 4, 5}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	parts, err := table.PartitionByHash(mem, rec, []int{0}, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for p, part := range parts {
		fmt.Println(p, table.Rows(part))
		part.Release()
	}
	// Output:
	// 0 [map[n:1 user:a] map[n:3 user:a] map[n:4 user:c]]
	// 1 [map[n:2 user:b] map[n:5 user:b]]
}

func ExampleAggregate() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem,
		table.Col("user", []string{"a", "b", "a", "b", "a"}),
		table.Col("amount", []float64{1, 10, 2, 20, 6}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	out, err := table.Aggregate(mem, rec, []int{0},
		table.Aggregation{Op: table.Count, Col: -1},
		table.Aggregation{Op: table.Mean, Col: 1},
		table.Aggregation{Op: table.Max, Col: 1},
		table.Aggregation{Op: table.Variance, Col: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	tbl, err := table.New(out.Schema(), out)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tbl.Release()
	if err := tbl.FormatHead(os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// user             utf8
	// count            int64
	// mean_amount      float64
	// max_amount       float64
	// variance_amount  float64
	//
	//    user  count  mean_amount  max_amount  variance_amount
	// 0  a         3            3           6                7
	// 1  b         2           15          20               50
	// [2 of 2 rows x 5 columns]
}

func ExampleTable_Slice() {
	mem := memory.NewGoAllocator()
	a, _ := table.Build(mem, table.Col("i", []int64{0, 1, 2}))
	b, _ := table.Build(mem, table.Col("i", []int64{3, 4, 5}))
	defer a.Release()
	defer b.Release()
	tbl, err := table.New(a.Schema(), a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tbl.Release()
	s := tbl.Slice(2, 3) // rows 2, 3, 4: across the batch boundary, no copy
	defer s.Release()
	for i := 0; i < s.NumBatches(); i++ {
		fmt.Println(table.Rows(s.Batch(i)))
	}
	// Output:
	// [map[i:2]]
	// [map[i:3] map[i:4]]
}
