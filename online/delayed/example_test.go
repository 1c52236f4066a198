package delayed_test

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online/delayed"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// Predictions for ids 1-4; labels come later, out of order, and id 3's
// never comes; a label for id 9 has no prediction.
func Example() {
	mem := memory.NewGoAllocator()
	preds, _ := table.Build(mem, table.Col("id", []int64{1, 2, 3, 4}),
		table.Col("time", []int64{1000, 2000, 3000, 4000}), // ms
		table.Col("prediction", []float64{1, 0, 1, 1}), table.Col("probability", []float64{0.9, 0.2, 0.7, 0.6}))
	labels, _ := table.Build(mem, table.Col("id", []int64{2, 9, 1, 4}),
		table.Col("time", []int64{2500, 2600, 3500, 4200}), table.Col("label", []float64{0, 1, 1, 0}))
	defer preds.Release()
	defer labels.Release()

	job := stream.NewJob("delayed-labels", stream.WithAllocator(mem))
	p := stream.FromSource(job, "predictions", stream.FromRecords(preds), 1).AssignWatermarks("time", time.Second)
	l := stream.FromSource(job, "labels", stream.FromRecords(labels), 1).AssignWatermarks("time", time.Second)
	joined, err := delayed.Join(p, l, delayed.Config{MaxDelay: 10 * time.Second}, mem, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	j, e, o := joined.Collect(), joined.SideOutput(delayed.ExpiredTag).Collect(), joined.SideOutput(delayed.OrphanTag).Collect()
	defer j.Release()
	defer e.Release()
	defer o.Release()
	if err := job.Run(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	var lines []string
	for _, r := range j.Records() {
		for i := range int(r.NumRows()) {
			lines = append(lines, fmt.Sprintf("joined id %d: probability %.1f label %.0f", r.Column(0).(*array.Int64).Value(i),
				r.Column(4).(*array.Float64).Value(i), r.Column(5).(*array.Float64).Value(i)))
		}
	}
	sort.Strings(lines)
	for _, s := range lines {
		fmt.Println(s)
	}
	fmt.Println("expired:", e.NumRows(), "orphan labels:", o.NumRows())
	fmt.Println(j.Records()[0].Schema().Fields()[1].Name, j.Records()[0].Schema().Fields()[2].Name)
	// Output:
	// joined id 1: probability 0.9 label 1
	// joined id 2: probability 0.2 label 0
	// joined id 4: probability 0.6 label 0
	// expired: 1 orphan labels: 1
	// time label_time
}
