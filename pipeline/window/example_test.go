package window_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/csv"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/window"
)

// A windowed keyed count from a CSV file to stdout: clicks per user and
// minute of event time, with their amount. Windows are emitted when the
// watermark (newest time - 10s) passes their end, in time order (ties in
// key order). The row of ana at 10:00:30 arrives after its window closed
// and goes to the late side output.
func Example() {
	ctx := context.Background()
	f, err := os.Open("testdata/clicks.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	ts := arrow.NewSchema([]arrow.Field{{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_ms}}, nil)
	rows, err := csv.NewReader(ctx, f, csv.Options{ReadOptions: connectors.ReadOptions{Schema: ts, BatchSize: 2}})
	if err != nil {
		fmt.Println(err)
		return
	}
	job := stream.NewJob("clicks")
	clicks := stream.FromSource(job, "clicks", stream.FromReader(rows), 1).AssignWatermarks("ts", 10*time.Second)
	counts := window.Of(clicks.KeyBy("user"), "ts", window.Tumbling(time.Minute)).
		Aggregate(window.Count(), window.Sum("amount"))
	counts.To("stdout", stream.SinkFunc(printWindows))
	late := counts.SideOutput(window.LateTag).Collect()
	defer late.Release()
	if err := job.Run(ctx); err != nil {
		fmt.Println(err)
	}
	for _, rec := range late.Records() {
		printLate(rec)
	}
	// Output:
	// ana 10:00-10:01 count=2 sum=5.5
	// bob 10:00-10:01 count=2 sum=3.5
	// cy 10:01-10:02 count=1 sum=9
	// ana 10:01-10:02 count=1 sum=4
	// cy 10:02-10:03 count=1 sum=0.5
	// bob 10:02-10:03 count=1 sum=1.5
	// late: ana at 10:00:30
}

func printWindows(_ context.Context, _ int, rec arrow.Record) error {
	user := rec.Column(0).(*array.String)
	start, end := rec.Column(1).(*array.Timestamp), rec.Column(2).(*array.Timestamp)
	count, sum := rec.Column(3).(*array.Int64), rec.Column(4).(*array.Float64)
	for i := range int(rec.NumRows()) {
		fmt.Printf("%s %s-%s count=%d sum=%g\n", user.Value(i), clock(int64(start.Value(i))), clock(int64(end.Value(i))), count.Value(i), sum.Value(i))
	}
	return nil
}

func printLate(rec arrow.Record) {
	for i := range int(rec.NumRows()) {
		col := rec.Column(1).(*array.Timestamp)
		ts := col.Value(i).ToTime(col.DataType().(*arrow.TimestampType).Unit)
		fmt.Printf("late: %s at %s\n", rec.Column(0).(*array.String).Value(i), ts.UTC().Format("15:04:05"))
	}
}

func clock(ms int64) string { return time.UnixMilli(ms).UTC().Format("15:04") }
