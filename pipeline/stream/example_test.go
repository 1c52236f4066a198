package stream_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// A keyed count from an in-memory source to a collecting sink, at
// parallelism 2.
func Example() {
	mem := memory.NewGoAllocator()
	rec, err := table.Build(mem,
		table.Col("user", []string{"ann", "bob", "ann", "cid", "ann", "bob"}),
		table.Col("clicks", []int64{1, 1, 1, 1, 1, 1}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()

	job := stream.NewJob("clicks", stream.WithAllocator(mem))
	counts := stream.FromSource(job, "events", stream.FromRecords(rec), 2).
		KeyBy("user").
		Count("count-by-user").
		Collect()
	defer counts.Release()
	if err := job.Run(context.Background()); err != nil {
		fmt.Println(err)
		return
	}

	got := map[string]int64{}
	for _, r := range counts.Records() {
		users, n := r.Column(0).(*array.String), r.Column(1).(*array.Int64)
		for i := range users.Len() {
			got[users.Value(i)] = n.Value(i)
		}
	}
	fmt.Println(got)
	fmt.Print(job)
	// Output:
	// map[ann:3 bob:2 cid:1]
	// job "clicks"
	//   0 source "events" parallelism 2
	//   1 count "count-by-user" parallelism 2 <- 0 hash(user)
	//   2 sink "collect" parallelism 2 <- 1 forward
}
