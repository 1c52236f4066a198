package prequential_test

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online/prequential"
	"github.com/eddyml/eddy/pipeline/table"
)

func Example() {
	mem := memory.NewGoAllocator()
	ev, err := prequential.New(prequential.Config{Task: prequential.Binary, Window: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Test-then-train predictions of a learner, in two batches.
	for _, b := range [][3][]float64{
		{{1, 0, 1, 0}, {1, 1, 1, 0}, {0.9, 0.6, 0.8, 0.3}},
		{{1, 1, 0, 0}, {1, 1, 0, 0}, {0.7, 0.8, 0.2, 0.1}},
	} {
		rec, _ := table.Build(mem, table.Col("label", b[0]), table.Col("prediction", b[1]), table.Col("probability", b[2]))
		if err := ev.Update(rec); err != nil {
			fmt.Println(err)
		}
		rec.Release()
		m := ev.Metrics()
		fmt.Printf("rows %d: accuracy %.3f (window %.3f), log loss %.3f (window %.3f), auc %.3f (window %.3f)\n",
			m.Rows, m.Cumulative.Accuracy, m.Window.Accuracy, m.Cumulative.LogLoss, m.Window.LogLoss, m.Cumulative.AUC, m.Window.AUC)
	}
	// Output:
	// rows 4: accuracy 0.750 (window 0.750), log loss 0.400 (window 0.400), auc 1.000 (window 1.000)
	// rows 8: accuracy 0.875 (window 1.000), log loss 0.314 (window 0.227), auc 1.000 (window 1.000)
}
