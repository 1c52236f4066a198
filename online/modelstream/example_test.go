package modelstream_test

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	_ "github.com/eddyml/eddy/online/all"
	"github.com/eddyml/eddy/online/modelstream"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// An FTRL learner on a stream publishes a model version every 4 rows; the
// prediction operator scores a second stream with the newest version and
// tags each row with it.
func Example() {
	mem := memory.NewGoAllocator()
	build := func(x []float64, y []int64) arrow.Record {
		vecs := make([][]float64, len(x))
		for i, v := range x {
			vecs[i] = []float64{v, 1}
		}
		rec, err := table.Build(mem, table.DenseCol("features", 2, vecs), table.Col("label", y))
		if err != nil {
			panic(err)
		}
		return rec
	}
	train := build([]float64{1, -1, 2, -2, 1, -1, 2, -2}, []int64{1, 0, 1, 0, 1, 0, 1, 0})
	defer train.Release()
	rows, err := array.NewRecordReader(train.Schema(), []arrow.Record{train})
	if err != nil {
		fmt.Println(err)
		return
	}

	job := stream.NewJob("example")
	src := stream.FromSource(job, "train", stream.FromReader(rows), 1)
	scored, models, err := modelstream.AddLearner(src, "ftrl", modelstream.LearnConfig{
		Learner: "ftrl", Params: map[string]any{"l1": 0.0}, EveryRows: 4,
		Now: func() time.Time { return time.Unix(0, 0) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	scoredRows := scored.Collect()
	versions := models.Collect()
	if err := job.Run(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer scoredRows.Release()
	defer versions.Release()
	fmt.Println("scored columns:", scoredRows.Records()[0].Schema().NumFields())
	for _, rec := range versions.Records() {
		vs, err := modelstream.Decode(rec)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, v := range vs {
			fmt.Println("version", v.Version, "rows", v.Rows, v.ModelKind, len(v.Data), "records")
			v.Release()
		}
	}
	// Output:
	// scored columns: 4
	// version 1 rows 4 logistic_regression_model 2 records
	// version 2 rows 8 logistic_regression_model 2 records
}

// The prediction operator scores a stream with the versions a learner
// publishes, tagging each row with the version that scored it. Rows that
// arrive before the first version wait in a bounded buffer.
func ExamplePredict() {
	mem := memory.NewGoAllocator()
	vecs := make([][]float64, 40)
	labels := make([]int64, 40)
	for i := range vecs {
		x := float64(i%5) - 2
		vecs[i] = []float64{x, 1}
		if x > 0 {
			labels[i] = 1
		}
	}
	rec, err := table.Build(mem, table.DenseCol("features", 2, vecs), table.Col("label", labels))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	halves := []arrow.Record{rec.NewSlice(0, 20), rec.NewSlice(20, 40)}
	defer halves[0].Release()
	defer halves[1].Release()
	reader := func() table.Reader {
		r, _ := array.NewRecordReader(rec.Schema(), halves)
		return r
	}

	job := stream.NewJob("example")
	train := stream.FromSource(job, "train", stream.FromReader(reader()), 1)
	_, models, err := modelstream.AddLearner(train, "ftrl", modelstream.LearnConfig{
		Learner: "ftrl", EveryRows: 20, SkipFinal: true, Now: func() time.Time { return time.Unix(0, 0) }})
	if err != nil {
		fmt.Println(err)
		return
	}
	predict, err := modelstream.Predict(modelstream.PredictConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	requests := stream.FromSource(job, "requests", stream.FromReader(reader()), 1)
	scored := stream.Connect(requests, models).Process("predict", predict, 1).Collect()
	if err := job.Run(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer scored.Release()
	fmt.Println(scored.NumRows(), "rows scored")
	last := scored.Records()[len(scored.Records())-1]
	fmt.Println(last.Schema().Field(int(last.NumCols()) - 1).Name)
	// Output:
	// 40 rows scored
	// model_version
}
